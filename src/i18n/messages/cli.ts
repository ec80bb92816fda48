// The command tree: program help, shared options and errors of every command.
export const en = {
  'cli.opt.noMulticast': 'skip multicast probes (subnet scan and manual entries only)',
  'cli.err.seconds': '{name} must be a number of seconds between 0 and 600 (got {value})',
} as const;

export const vi: Record<keyof typeof en, string> = {
  'cli.opt.noMulticast': 'bỏ qua dò multicast (chỉ quét dải mạng và các địa chỉ khai báo thủ công)',
  'cli.err.seconds': '{name} phải là số giây từ 0 đến 600 (nhận được {value})',
};
