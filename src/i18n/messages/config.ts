// `config check` and the configuration errors every command can print.
export const en = {
  'cli.noDaemonConfig':
    'No configuration found. Pass --config FILE or create /etc/edge-gateway/gateway.yaml.',
  'config.ok':
    'Configuration {file} is valid: site {site}, {cameras} manual camera(s), {destinations} destination(s).',
  'config.problems': '{file}: {count} configuration problem(s)',
  'config.invalid': 'invalid configuration {file}',
  'config.secretsMissing':
    '{count} secret(s) not set yet: the structure is valid, but the service will not start until they are.',
  'config.secretsMissingStrict': '{count} secret(s) not set:',
  'config.secretsUnset': 'secret(s) not set: {names}',
  'config.lookedIn': 'looked in',
  'config.noCredentialsDir':
    'No credentials directory: the service reads them from /etc/edge-gateway/credentials (check them with --credentials DIR).',
} as const;

export const vi: Record<keyof typeof en, string> = {
  'cli.noDaemonConfig':
    'Không tìm thấy tệp cấu hình. Dùng --config TỆP hoặc tạo /etc/edge-gateway/gateway.yaml.',
  'config.ok':
    'Cấu hình {file} hợp lệ: cơ sở {site}, {cameras} camera khai báo thủ công, {destinations} điểm nhận.',
  'config.problems': '{file}: {count} lỗi cấu hình',
  'config.invalid': 'cấu hình không hợp lệ: {file}',
  'config.secretsMissing':
    'Còn {count} bí mật chưa được đặt: cấu trúc tệp hợp lệ, nhưng dịch vụ chỉ khởi động khi đã đặt đủ.',
  'config.secretsMissingStrict': '{count} bí mật chưa được đặt:',
  'config.secretsUnset': 'bí mật chưa được đặt: {names}',
  'config.lookedIn': 'đã tìm ở',
  'config.noCredentialsDir':
    'Không có thư mục bí mật: dịch vụ đọc chúng từ /etc/edge-gateway/credentials (kiểm tra bằng --credentials DIR).',
};
