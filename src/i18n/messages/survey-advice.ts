// The survey's plain-words reasons (one per diagnose hint), its recommendations, and the
// `survey` command's own lines.
export const en = {
  'survey.reason.tcp.refused': 'Nothing answers on its ONVIF port',
  'survey.reason.tcp.refusedRtsp': 'Nothing answers on its RTSP port',
  'survey.reason.tcp.timeout': 'Does not answer on the network',
  'survey.reason.tcp.unreachable': 'No network route to the camera',
  'survey.reason.time.skew': 'The camera clock is wrong',
  'survey.reason.time.none': 'Does not answer ONVIF',
  'survey.reason.time.notOnvif': 'Not an ONVIF camera, or ONVIF is off',
  'survey.reason.auth.noCredentials': 'No user name and password for this camera',
  'survey.reason.auth.rejected': 'User name or password rejected',
  'survey.reason.auth.locked': 'Account locked after failed logins',
  'survey.reason.auth.timeout': 'The camera answers too slowly',
  'survey.reason.profiles.none': 'No video stream is enabled',
  'survey.reason.uri.none': 'Gives no stream address',
  'survey.reason.uri.scheme': 'Gives a stream address the gateway cannot use',
  'survey.reason.rtsp.refused': 'The video stream (RTSP) refuses connections',
  'survey.reason.rtsp.unauthorized': 'The video stream (RTSP) rejects the login',
  'survey.reason.rtsp.notFound': 'The video stream (RTSP) address is wrong',
  'survey.reason.rtsp.timeout': 'The video stream (RTSP) does not answer',
  'survey.reason.rtsp.other': 'The video stream (RTSP) cannot be opened',
  'survey.reason.frame.none': 'The stream sends no key frame',
  'survey.reason.frame.codec': 'The stream uses an unusual codec',
  'survey.reason.snapshot.fail': 'Snapshots do not work',
  'survey.reason.skipped': 'Not checked',
  'survey.rec.noCameras':
    "No camera was found. Check that the gateway is on the cameras' network or VLAN; add their subnet (discovery.subnets, or --scan) or their addresses (cameras: with onvif:), then survey again.",
  'survey.rec.fixFailed':
    '{count} camera(s) cannot be connected: apply the fix given for each in "Cameras that cannot be connected", then survey again.',
  'survey.rec.password.blank':
    'Camera {camera} accepts a blank password: set a strong, unique password before connecting it (QCVN 135:2024/BTTTT).',
  'survey.rec.password.default':
    "Camera {camera} accepts its vendor's default password: change it before connecting it (Decision 724/QĐ-BTTTT).",
  'survey.rec.passwordUnchecked':
    'The passwords of {cameras} were not checked because the camera refused a login: once the login works, survey again.',
  'survey.rec.ntp':
    'Set the clock of {cameras} from NTP (the gateway can be the NTP server): recordings carry the camera time.',
  'survey.rec.noDestinations':
    'No destination is configured. Each destination that takes every camera needs about {mainKbps} kbit/s upstream on main streams, {subKbps} kbit/s on sub-streams: size the uplink for the destinations the site will have.',
  'survey.rec.uplinkUnknown':
    'Measure the site uplink and set uplink.kbps: the destinations configured need {kbps} kbit/s.',
  'survey.rec.useSub':
    'Send the sub-stream to {destination} (profile: sub, or auto with maxKbps): {subKbps} kbit/s instead of {kbps} kbit/s.',
  'survey.rec.raiseUplink':
    'Even on sub-streams the site needs {subKbps} kbit/s: raise the uplink (a better 4G plan or a wired line), or send fewer cameras to some destinations.',
  'survey.rec.h265Rtmp':
    'Camera {camera} streams H.265 and destination {destination} is RTMP, which cannot carry H.265 with this ffmpeg: switch the camera to H.264, or use RTSP or SRT for that destination.',
  'survey.rec.allGood': 'Nothing to change: every camera can be connected and the uplink is enough.',
  'survey.cmd.description':
    'survey the site (khảo sát hiện trạng): discover every camera, diagnose each, check for blank and default passwords, and write the report',
  'survey.opt.config': 'configuration file (discovery settings, cameras, destinations, uplink)',
  'survey.opt.out': 'write the report to this file (default: standard output)',
  'survey.opt.format':
    'report format: md, html, csv, json, or brief (a line per camera) (default: from the --out extension, else md)',
  'survey.opt.by': "technician's name, written in the report",
  'survey.opt.timeout': 'how long to gather WS-Discovery replies, in seconds (default 3)',
  'survey.opt.scan': 'also scan this IPv4 range by unicast (repeatable)',
  'survey.opt.interface': 'probe only this interface (repeatable)',
  'survey.progress.camera': '  {done}/{total} {camera}: {result}',
  'survey.written': 'Report written to {file} ({cameras} camera(s), {failed} cannot be connected).',
  'survey.err.format': '--format must be md, html, csv, json or brief (got {value})',
  'survey.brief.none': 'No camera found or configured.',
  'survey.brief.total': '{cameras} camera(s), {failed} cannot be connected.',
  'survey.err.write': 'cannot write the report to {file}: {code}',
} as const;

export const vi: Record<keyof typeof en, string> = {
  'survey.reason.tcp.refused': 'Không có dịch vụ nào trả lời ở cổng ONVIF',
  'survey.reason.tcp.refusedRtsp': 'Không có dịch vụ nào trả lời ở cổng RTSP',
  'survey.reason.tcp.timeout': 'Không phản hồi trên mạng',
  'survey.reason.tcp.unreachable': 'Không có đường mạng tới camera',
  'survey.reason.time.skew': 'Đồng hồ camera sai giờ',
  'survey.reason.time.none': 'Không trả lời ONVIF',
  'survey.reason.time.notOnvif': 'Không phải camera ONVIF, hoặc ONVIF đang tắt',
  'survey.reason.auth.noCredentials': 'Chưa có tên đăng nhập và mật khẩu cho camera này',
  'survey.reason.auth.rejected': 'Sai tên đăng nhập hoặc mật khẩu',
  'survey.reason.auth.locked': 'Tài khoản bị khoá do đăng nhập sai nhiều lần',
  'survey.reason.auth.timeout': 'Camera trả lời quá chậm',
  'survey.reason.profiles.none': 'Chưa bật luồng video nào',
  'survey.reason.uri.none': 'Không cung cấp địa chỉ luồng',
  'survey.reason.uri.scheme': 'Địa chỉ luồng không dùng được',
  'survey.reason.rtsp.refused': 'Luồng video (RTSP) từ chối kết nối',
  'survey.reason.rtsp.unauthorized': 'Luồng video (RTSP) từ chối đăng nhập',
  'survey.reason.rtsp.notFound': 'Địa chỉ luồng video (RTSP) sai',
  'survey.reason.rtsp.timeout': 'Luồng video (RTSP) không phản hồi',
  'survey.reason.rtsp.other': 'Không mở được luồng video (RTSP)',
  'survey.reason.frame.none': 'Luồng không gửi khung hình chính (key frame)',
  'survey.reason.frame.codec': 'Luồng dùng chuẩn nén không phổ biến',
  'survey.reason.snapshot.fail': 'Không chụp được ảnh',
  'survey.reason.skipped': 'Chưa kiểm tra',
  'survey.rec.noCameras':
    'Không tìm thấy camera nào. Kiểm tra gateway có cùng mạng hoặc VLAN với camera không; thêm dải mạng của camera (discovery.subnets, hoặc --scan) hoặc địa chỉ từng camera (cameras: với onvif:), rồi khảo sát lại.',
  'survey.rec.fixFailed':
    '{count} camera không kết nối được: khắc phục theo hướng dẫn cho từng camera ở mục "Camera không kết nối được", rồi khảo sát lại.',
  'survey.rec.password.blank':
    'Camera {camera} chấp nhận mật khẩu trống: đặt mật khẩu mạnh, riêng cho camera trước khi kết nối (QCVN 135:2024/BTTTT).',
  'survey.rec.password.default':
    'Camera {camera} chấp nhận mật khẩu mặc định của hãng: đổi mật khẩu trước khi kết nối (Quyết định 724/QĐ-BTTTT).',
  'survey.rec.passwordUnchecked':
    'Chưa kiểm tra mật khẩu của {cameras} vì camera đã từ chối đăng nhập: khi đăng nhập được, hãy khảo sát lại.',
  'survey.rec.ntp':
    'Cài đặt đồng bộ giờ NTP cho {cameras} (gateway có thể làm máy chủ NTP): bản ghi mang giờ của camera.',
  'survey.rec.noDestinations':
    'Chưa cấu hình điểm nhận nào. Mỗi điểm nhận nhận tất cả camera cần khoảng {mainKbps} kbit/s tải lên với luồng chính, {subKbps} kbit/s với luồng phụ: tính băng thông theo số điểm nhận của cơ sở.',
  'survey.rec.uplinkUnknown':
    'Đo băng thông tải lên của cơ sở và đặt uplink.kbps: các điểm nhận đã cấu hình cần {kbps} kbit/s.',
  'survey.rec.useSub':
    'Gửi luồng phụ tới {destination} (profile: sub, hoặc auto với maxKbps): {subKbps} kbit/s thay vì {kbps} kbit/s.',
  'survey.rec.raiseUplink':
    'Kể cả dùng luồng phụ cơ sở vẫn cần {subKbps} kbit/s: nâng băng thông (gói 4G tốt hơn hoặc đường truyền cáp quang), hoặc gửi ít camera hơn tới một số điểm nhận.',
  'survey.rec.h265Rtmp':
    'Camera {camera} phát H.265 mà điểm nhận {destination} dùng RTMP, không truyền được H.265 với bản ffmpeg này: chuyển camera sang H.264, hoặc dùng RTSP hay SRT cho điểm nhận đó.',
  'survey.rec.allGood': 'Không cần thay đổi gì: mọi camera đều kết nối được và băng thông đủ.',
  'survey.cmd.description':
    'khảo sát hiện trạng: tìm mọi camera, chẩn đoán từng camera, kiểm tra mật khẩu trống và mật khẩu mặc định, rồi viết báo cáo',
  'survey.opt.config': 'tệp cấu hình (cài đặt dò tìm, camera, điểm nhận, uplink)',
  'survey.opt.out': 'ghi báo cáo vào tệp này (mặc định: đầu ra chuẩn)',
  'survey.opt.format':
    'định dạng báo cáo: md, html, csv, json hoặc brief (mỗi camera một dòng) (mặc định: theo đuôi tệp --out, nếu không thì md)',
  'survey.opt.by': 'tên kỹ thuật viên, ghi vào báo cáo',
  'survey.opt.timeout': 'thời gian chờ trả lời WS-Discovery, tính bằng giây (mặc định 3)',
  'survey.opt.scan': 'quét thêm dải IPv4 này bằng unicast (dùng được nhiều lần)',
  'survey.opt.interface': 'chỉ dò trên giao diện mạng này (dùng được nhiều lần)',
  'survey.progress.camera': '  {done}/{total} {camera}: {result}',
  'survey.written': 'Đã ghi báo cáo vào {file} ({cameras} camera, {failed} không kết nối được).',
  'survey.err.format': '--format phải là md, html, csv, json hoặc brief (nhận được {value})',
  'survey.brief.none': 'Không tìm thấy camera nào, và cấu hình không khai báo camera nào.',
  'survey.brief.total': '{cameras} camera, {failed} không kết nối được.',
  'survey.err.write': 'không ghi được báo cáo vào {file}: {code}',
};
