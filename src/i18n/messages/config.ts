// `config check` and the configuration errors every command can print.
export const en = {
  'cli.noDaemonConfig':
    'No configuration found. Pass --config FILE or create /etc/edge-gateway/gateway.yaml.',
  'config.ok':
    'Configuration {file} is valid: site {site}, {cameras} manual camera(s), {destinations} destination(s).',
} as const;

export const vi: Record<keyof typeof en, string> = {
  'cli.noDaemonConfig':
    'Không tìm thấy tệp cấu hình. Dùng --config TỆP hoặc tạo /etc/edge-gateway/gateway.yaml.',
  'config.ok':
    'Cấu hình {file} hợp lệ: cơ sở {site}, {cameras} camera khai báo thủ công, {destinations} điểm nhận.',
};
