// Why the relay sends a camera nowhere or not to some destination: shown by `status`, and in
// English in the status document and over MQTT.
export const en = {
  'relay.unsent.codec':
    '{codec} cannot be sent over {protocol} with ffmpeg {ffmpeg}; choose an H.264 profile or enable transcode',
  'status.notSent': 'not sent',
  'status.unsent': '{camera} to {destination}: not sent: {reason}',
} as const;

export const vi: Record<keyof typeof en, string> = {
  'relay.unsent.codec':
    'không thể gửi {codec} qua {protocol} với ffmpeg {ffmpeg}; hãy chọn một profile H.264 hoặc bật chuyển mã (transcode)',
  'status.notSent': 'không gửi',
  'status.unsent': '{camera} đến {destination}: không gửi: {reason}',
};
