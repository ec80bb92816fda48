// `discover`: progress, summaries and why a device that answered cannot be used.
export const en = {
  'discover.none':
    "No cameras found. Multicast does not cross VLANs or Docker bridges: add the cameras' subnet with --scan CIDR, or their addresses as manual entries. See docs/discovery.md.",
  'discover.allInterfaces': 'all',
  'discover.progress.probe': 'probing {interfaces} interface(s) for {seconds} s',
  'discover.progress.scan': 'scanning {hosts} address(es) on {ports} port(s)',
  'discover.progress.profile': 'reading {count} device(s)',
  'discover.progress.device': '  {done}/{total} read {address} {device}: {status}',
  'discover.ignored': 'Answered, but not usable as a camera:',
  'discover.summary': '{usable} usable camera(s), {failed} device(s) answered but cannot be used',
} as const;

export const vi: Record<keyof typeof en, string> = {
  'discover.none':
    'Không tìm thấy camera nào. Multicast không đi qua VLAN hay Docker bridge: thêm dải mạng của camera bằng --scan CIDR, hoặc khai báo địa chỉ camera thủ công. Xem docs/discovery.md.',
  'discover.allInterfaces': 'tất cả',
  'discover.progress.probe': 'đang dò {interfaces} giao diện mạng trong {seconds} giây',
  'discover.progress.scan': 'đang quét {hosts} địa chỉ trên {ports} cổng',
  'discover.progress.profile': 'đang đọc {count} thiết bị',
  'discover.progress.device': '  {done}/{total} đã đọc {address} {device}: {status}',
  'discover.ignored': 'Có trả lời nhưng không dùng được như camera:',
  'discover.summary': '{usable} camera dùng được, {failed} thiết bị trả lời nhưng không dùng được',
};
