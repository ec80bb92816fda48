// `edge-gateway reload`: the running daemon reads its configuration again.
export const en = {
  'reload.applied': 'Configuration reloaded: changed {sections}.',
  'reload.unchanged': 'Configuration reloaded: nothing changed.',
  'reload.streams': 'Streams started {started}, restarted {restarted}, stopped {stopped}; the others go on.',
  'reload.restartNeeded': 'Takes effect at the next restart: {sections}.',
  'reload.refused':
    'The daemon refused the new configuration and keeps the running one ({count} problem(s)):',
  'reload.noDaemon': 'no gateway is running (status socket {socket})',
  'reload.noAnswer': 'the daemon did not answer within 60 s',
  'reload.description': 'make the running daemon read its configuration and secrets again (as SIGHUP does)',
  'reload.configRefused': 'configuration refused',
} as const;

export const vi: Record<keyof typeof en, string> = {
  'reload.applied': 'Đã nạp lại cấu hình: thay đổi {sections}.',
  'reload.unchanged': 'Đã nạp lại cấu hình: không có gì thay đổi.',
  'reload.streams':
    'Luồng khởi động {started}, khởi động lại {restarted}, dừng {stopped}; các luồng khác vẫn chạy.',
  'reload.restartNeeded': 'Có hiệu lực ở lần khởi động lại tới: {sections}.',
  'reload.refused': 'Dịch vụ từ chối cấu hình mới và giữ cấu hình đang chạy ({count} lỗi):',
  'reload.noDaemon': 'không có gateway nào đang chạy (socket trạng thái {socket})',
  'reload.noAnswer': 'dịch vụ không trả lời trong 60 giây',
  'reload.description': 'yêu cầu dịch vụ đang chạy đọc lại cấu hình và các bí mật (như tín hiệu SIGHUP)',
  'reload.configRefused': 'cấu hình bị từ chối',
};
