// What `systemctl status edge-gateway` shows on its Status: line, and the daemon's health words.
export const en = {
  'service.status':
    'cameras live {live}/{total}, destinations live {destLive}/{destTotal}, backlog {backlog}',
  'service.starting': 'starting',
  'service.stopping': 'stopping',
} as const;

export const vi: Record<keyof typeof en, string> = {
  'service.status':
    'camera đang chạy {live}/{total}, điểm nhận đang nhận {destLive}/{destTotal}, video còn nợ {backlog}',
  'service.starting': 'đang khởi động',
  'service.stopping': 'đang dừng',
};
