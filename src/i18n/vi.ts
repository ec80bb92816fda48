// Vietnamese catalogue. Keys missing here fall back to English.
import type { MessageKey } from './catalogue.ts';

export const vi: Partial<Record<MessageKey, string>> = {
  'discover.none':
    'Không tìm thấy camera nào. Multicast không đi qua VLAN hay Docker bridge: thêm dải mạng của camera bằng --scan CIDR, hoặc khai báo địa chỉ camera thủ công. Xem docs/discovery.md.',
  'discover.ignored': 'Có trả lời nhưng không dùng được như camera:',
  'discover.summary': '{usable} camera dùng được, {failed} thiết bị trả lời nhưng không dùng được',
  'diagnose.verdict.pass': 'Tất cả các bước kiểm tra đều đạt.',
  'diagnose.verdict.warn': 'Hoạt động, có cảnh báo.',
  'diagnose.verdict.fail': 'Lỗi ở bước: {step}.',
  'hint.auth.rejected':
    'Camera từ chối tên đăng nhập hoặc mật khẩu. Kiểm tra lại trên trang web của camera; nhiều camera cần tài khoản ONVIF riêng. Gateway không thử lại nên tài khoản không bị khoá.',
  'hint.tcp.timeout':
    'Không có phản hồi từ {target}. Kiểm tra cáp mạng, nguồn điện, địa chỉ IP của camera và gateway có cùng mạng hoặc VLAN không.',
};
