// The diagnose ladder: verdicts and the hint of each failing step, in plain words with the fix.
export const en = {
  'diagnose.verdict.pass': 'All checks passed.',
  'diagnose.verdict.warn': 'Works, with warnings.',
  'diagnose.verdict.fail': 'Failed at: {step}.',
  'hint.tcp.refused':
    "Nothing listens on {target}. Check the camera's ONVIF port in its web page (common: 80, 8000, 8080, 8899, 2020) and that ONVIF is enabled.",
  'hint.tcp.refusedRtsp':
    "Nothing listens on {target}. Check the RTSP port in the camera's web page (common: 554) and the address in the configuration.",
  'hint.tcp.timeout':
    "No answer from {target}. Check the cable, the camera's power, its IP address, and that the gateway is on the same network or VLAN.",
  'hint.tcp.unreachable':
    "The gateway has no route to {target}. Check the gateway's address and netmask, or the VLAN.",
  'hint.time.skew':
    "The camera clock is {skew} off. Authentication still works because the gateway signs on the camera's clock, but recordings will carry wrong times: set NTP on the camera.",
  'hint.time.none':
    'The device does not answer ONVIF GetSystemDateAndTime: it may not be an ONVIF camera, or ONVIF is disabled in its settings.',
  'hint.time.notOnvif':
    'The device answers HTTP but not ONVIF: it is not an ONVIF camera, or ONVIF is disabled in its settings.',
  'hint.auth.noCredentials': "Give the camera's user name and password with --username and --password-file.",
  'hint.auth.rejected':
    "The camera rejected the user name or password. Check them in the camera's web page; many cameras need a separate ONVIF user (Hikvision: Network > Advanced > Integration Protocol). The gateway does not retry, so the account is not locked.",
  'hint.auth.locked':
    "The camera says the account is locked after failed logins. Wait for the lock to expire (often 30 min) or unlock it in the camera's web page, then check the password.",
  'hint.auth.timeout':
    'The camera took too long to answer. It may be overloaded; try again, or raise discovery.callTimeoutSeconds.',
  'hint.profiles.none':
    "The camera has no media profile with a video encoder. Enable a stream in the camera's video settings.",
  'hint.uri.none': 'The camera did not give a stream address. Enter its RTSP URL by hand as a manual camera.',
  'hint.uri.scheme':
    'The camera gave a stream address with scheme "{scheme}": only rtsp and rtsps are accepted.',
  'hint.rtsp.refused':
    'The RTSP server on {target} refuses connections. Check that RTSP is enabled and its port ({port}).',
  'hint.rtsp.unauthorized':
    'The RTSP server rejected the credentials. Some cameras have separate RTSP authentication settings.',
  'hint.rtsp.notFound':
    'The RTSP server does not know this stream path. The ONVIF stream address may be wrong: enter the RTSP URL by hand.',
  'hint.rtsp.timeout':
    'The RTSP server did not answer in time. The camera may allow only a few sessions: close other viewers (NVR, phone app).',
  'hint.rtsp.other': 'RTSP failed: {detail}',
  'hint.frame.none':
    "The stream opened but no key frame arrived. Lower the camera's I-frame interval (GOP) to 2x the frame rate.",
  'hint.frame.codec':
    "The stream is {codec}; most platforms expect H.264 or H.265. Change the codec in the camera's video settings.",
  'hint.snapshot.fail':
    'The snapshot address did not return an image ({detail}). Live video is not affected.',
  'hint.skipped': 'Skipped because an earlier step failed.',
} as const;

export const vi: Record<keyof typeof en, string> = {
  'diagnose.verdict.pass': 'Tất cả các bước kiểm tra đều đạt.',
  'diagnose.verdict.warn': 'Hoạt động, có cảnh báo.',
  'diagnose.verdict.fail': 'Lỗi ở bước: {step}.',
  'hint.tcp.refused':
    'Không có dịch vụ nào nghe ở {target}. Kiểm tra cổng ONVIF trên trang web quản trị của camera (thường là 80, 8000, 8080, 8899, 2020) và ONVIF đã được bật.',
  'hint.tcp.refusedRtsp':
    'Không có dịch vụ nào nghe ở {target}. Kiểm tra cổng RTSP trên trang web quản trị của camera (thường là 554) và địa chỉ trong tệp cấu hình.',
  'hint.tcp.timeout':
    'Không có phản hồi từ {target}. Kiểm tra cáp mạng, nguồn điện, địa chỉ IP của camera và gateway có cùng mạng hoặc VLAN không.',
  'hint.tcp.unreachable':
    'Gateway không có đường đến {target}. Kiểm tra địa chỉ IP và subnet mask của gateway, hoặc VLAN.',
  'hint.time.skew':
    'Đồng hồ camera lệch {skew}. Xác thực vẫn được vì gateway ký theo đồng hồ của camera, nhưng bản ghi sẽ mang giờ sai: hãy bật NTP trên camera.',
  'hint.time.none':
    'Thiết bị không trả lời lệnh ONVIF GetSystemDateAndTime: có thể không phải camera ONVIF, hoặc ONVIF đang tắt trong cài đặt.',
  'hint.time.notOnvif':
    'Thiết bị trả lời HTTP nhưng không trả lời ONVIF: đây không phải camera ONVIF, hoặc ONVIF đang tắt trong cài đặt.',
  'hint.auth.noCredentials': 'Nhập tên đăng nhập và mật khẩu của camera bằng --username và --password-file.',
  'hint.auth.rejected':
    'Camera từ chối tên đăng nhập hoặc mật khẩu. Kiểm tra lại trên trang web của camera; nhiều camera cần tài khoản ONVIF riêng (Hikvision: Network > Advanced > Integration Protocol). Gateway không thử lại nên tài khoản không bị khoá.',
  'hint.auth.locked':
    'Camera báo tài khoản đã bị khoá do đăng nhập sai nhiều lần. Chờ hết thời gian khoá (thường 30 phút) hoặc mở khoá trên trang web của camera, rồi kiểm tra lại mật khẩu.',
  'hint.auth.timeout':
    'Camera trả lời quá chậm. Có thể camera đang quá tải; thử lại, hoặc tăng discovery.callTimeoutSeconds.',
  'hint.profiles.none':
    'Camera không có profile nào có bộ mã hoá video. Bật một luồng video trong phần cài đặt video của camera.',
  'hint.uri.none':
    'Camera không cung cấp địa chỉ luồng. Nhập địa chỉ RTSP bằng tay, khai báo như camera thủ công.',
  'hint.uri.scheme': 'Camera cung cấp địa chỉ luồng với giao thức "{scheme}": chỉ chấp nhận rtsp và rtsps.',
  'hint.rtsp.refused': 'Máy chủ RTSP ở {target} từ chối kết nối. Kiểm tra RTSP đã bật và đúng cổng ({port}).',
  'hint.rtsp.unauthorized':
    'Máy chủ RTSP từ chối thông tin đăng nhập. Một số camera có cài đặt xác thực RTSP riêng.',
  'hint.rtsp.notFound':
    'Máy chủ RTSP không có đường dẫn luồng này. Địa chỉ luồng ONVIF có thể sai: nhập địa chỉ RTSP bằng tay.',
  'hint.rtsp.timeout':
    'Máy chủ RTSP không trả lời kịp. Camera có thể chỉ cho phép ít phiên xem: đóng các phần mềm đang xem khác (đầu ghi NVR, ứng dụng điện thoại).',
  'hint.rtsp.other': 'RTSP lỗi: {detail}',
  'hint.frame.none':
    'Luồng đã mở nhưng không nhận được khung hình chính (key frame). Giảm khoảng cách I-frame (GOP) của camera xuống 2 lần số khung hình/giây.',
  'hint.frame.codec':
    'Luồng dùng chuẩn nén {codec}; hầu hết các nền tảng cần H.264 hoặc H.265. Đổi chuẩn nén trong cài đặt video của camera.',
  'hint.snapshot.fail': 'Địa chỉ chụp ảnh không trả về ảnh ({detail}). Video trực tiếp không bị ảnh hưởng.',
  'hint.skipped': 'Bỏ qua vì một bước trước đó đã lỗi.',
};
