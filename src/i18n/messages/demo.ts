// The demo (scripts/demo): what a newcomer reads while the whole product runs on one machine.
export const en = {
  'demo.cli.description':
    'run the whole product on this machine: a simulated site, two platforms, a broker and this gateway, then an uplink cut (needs a checkout)',
  'demo.cli.liveSeconds': 'seconds of live relay before the cut (default 20)',
  'demo.cli.outageSeconds': 'seconds the uplink stays cut (default 40)',
  'demo.cli.keepRunning': 'leave everything running after the summary, until Ctrl-C',
  'demo.cli.manifest': 'write the temp dir, ports and summary to this JSON file (for tests and scripts)',
  'demo.usage':
    'usage: npm run demo -- [options], or edge-gateway demo [options]; options: --lang vi|en, --live-seconds N, --outage-seconds N (1-3600), --keep-running',
  'demo.noCheckout':
    "The demo runs the simulated site from the repository's test/ folder, which an installed package does not have. In a checkout of the repository: ./scripts/setup.sh, then npm run demo.",
  'demo.missing': 'The demo needs {what}: run ./scripts/setup.sh first.',
  'demo.title':
    'edge-gateway demo: a simulated camera site, two central platforms and the gateway between them, all on this machine (loopback only, no root needed).',
  'demo.starting':
    'Starting 4 simulated cameras, an RTMP and an RTSP ingest, a backfill receiver per platform and an MQTT broker, in {dir}',
  'demo.step.run':
    "1. Starting the gateway, which finds the site's cameras by itself: {command} (its log: {log})",
  'demo.step.inventory': '2. The cameras it found and why some cannot be used: {command}',
  'demo.waitingLive': '   waiting for the streams to reach both platforms...',
  'demo.notLive': '   not live: {camera} to {destination}: {why}',
  'demo.notSent': '   not sent: {camera} to {destination}: {reason}',
  'demo.neverLive': 'no stream reached a platform within 90 s: see the gateway log',
  'demo.look.title': 'What to look at, in another terminal:',
  'demo.look.status': '   streams and destinations:    {command}',
  'demo.look.backlog': '   video owed, outages, lost:   {command}',
  'demo.look.mqtt': '   telemetry over MQTT:         {command}',
  'demo.look.ingests': '   what the platforms received: {rtmp} (RTMP), {rtsp} (RTSP)',
  'demo.look.backfill': '   what backfill delivered:     {dir}',
  'demo.look.spool': '   local recording:             {dir}',
  'demo.phase.live': '3. Relaying live for {seconds} s',
  'demo.phase.cut':
    '4. Cutting the uplink for {seconds} s: every connection to the platforms stays open and nothing gets through, as when a 4G link dies. The gateway keeps recording.',
  'demo.noNetAdmin':
    "   (without root the gateway cannot reset one dead connection, which needs CAP_NET_ADMIN: it restarts the camera's ffmpeg instead, and the recording loses seconds: the summary says how many)",
  'demo.phase.restore': '5. Uplink back: the gateway reconnects and sends the platforms what they missed',
  'demo.tick':
    '   {time}  live {live}/{total} destinations, recording {recording}/{streams} cameras, owed to the platforms {owed} s',
  'demo.outage.open': '   {time}  outage: {camera} to {destination} since {since} (cause: {cause})',
  'demo.cause.uplink': 'the uplink',
  'demo.cause.destination': 'this destination',
  'demo.cause.camera': 'the camera',
  'demo.cause.gateway': 'the gateway (down or starting)',
  'demo.outage.closed': '   {time}  outage over: {camera} to {destination}, {seconds} s',
  'demo.drainStuck': '   {time}  the backlog stopped shrinking with {owed} s still owed',
  'demo.summary.title': 'Summary',
  'demo.summary.cameras': '   cameras: {found} found, {relayed} relayed ({ids})',
  'demo.summary.notRelayed': '   not relayed: {id}: {why}',
  'demo.summary.noStream': 'no stream',
  'demo.summary.nothingArrived':
    '   nothing arrived at {destination} from {camera}, although the gateway shows it "{state}"',
  'demo.why.auth':
    'the camera rejected the password; the gateway stopped after {attempts} attempt(s) and the account is not locked',
  'demo.why.authLocked':
    'the camera rejected the password and locked the account after {attempts} attempt(s)',
  'demo.why.offline': 'offline: nothing answers at {address}',
  'demo.summary.destination':
    '   {id}: {live} s delivered live, {backfill} s by backfill ({segments} segments), {owed} s still owed, {lost} s lost',
  'demo.summary.nothingLost':
    '   nothing lost: every second recorded during the {seconds} s outage reached the platforms, SHA-256 checked',
  'demo.summary.recordingLost': '   lost from the local recording: {camera}, {seconds} s ({reason})',
  'demo.summary.notAll':
    '   {id}: {missing} of {total} outage segments missing at the receiver, {owed} s owed, {lost} s lost',
  'demo.keepRunning': 'Still running, for exploring. Ctrl-C stops everything and removes {dir}.',
  'demo.failed': 'The demo failed: {error}',
  'demo.interrupted': 'Interrupted: stopping everything the demo started...',
  'demo.cleaned': 'Stopped everything the demo started and removed {dir}.',
} as const;

export const vi: Record<keyof typeof en, string> = {
  'demo.cli.description':
    'chạy toàn bộ sản phẩm trên máy này: một khu camera mô phỏng, hai nền tảng, một broker và gateway này, rồi cắt đường truyền lên (cần bản sao kho mã nguồn)',
  'demo.cli.liveSeconds': 'số giây truyền trực tiếp trước khi cắt mạng (mặc định 20)',
  'demo.cli.outageSeconds': 'số giây đường truyền lên bị cắt (mặc định 40)',
  'demo.cli.keepRunning': 'để mọi thứ tiếp tục chạy sau phần tổng kết, cho đến khi nhấn Ctrl-C',
  'demo.cli.manifest': 'ghi thư mục tạm, các cổng và phần tổng kết vào tệp JSON này (cho kiểm thử và script)',
  'demo.usage':
    'cách dùng: npm run demo -- [tuỳ chọn], hoặc edge-gateway demo [tuỳ chọn]; tuỳ chọn: --lang vi|en, --live-seconds N, --outage-seconds N (1-3600), --keep-running',
  'demo.noCheckout':
    'Bản demo chạy khu camera mô phỏng từ thư mục test/ của kho mã nguồn, bản cài đặt không có thư mục này. Trong bản sao kho mã nguồn: ./scripts/setup.sh, rồi npm run demo.',
  'demo.missing': 'Bản demo cần {what}: hãy chạy ./scripts/setup.sh trước.',
  'demo.title':
    'Demo edge-gateway: một khu camera mô phỏng, hai nền tảng trung tâm và gateway ở giữa, tất cả trên máy này (chỉ dùng loopback, không cần quyền root).',
  'demo.starting':
    'Đang khởi động 4 camera mô phỏng, một máy nhận RTMP và một máy nhận RTSP, một máy nhận bù dữ liệu cho mỗi nền tảng và một MQTT broker, trong {dir}',
  'demo.step.run': '1. Khởi động gateway, nó tự tìm các camera của cơ sở: {command} (nhật ký: {log})',
  'demo.step.inventory': '2. Các camera tìm thấy và lý do một số camera không dùng được: {command}',
  'demo.waitingLive': '   đang chờ các luồng video đến cả hai nền tảng...',
  'demo.notLive': '   chưa truyền trực tiếp: {camera} đến {destination}: {why}',
  'demo.notSent': '   không gửi: {camera} đến {destination}: {reason}',
  'demo.neverLive': 'sau 90 giây không có luồng nào đến được nền tảng: xem nhật ký của gateway',
  'demo.look.title': 'Những gì nên xem, trong một cửa sổ dòng lệnh khác:',
  'demo.look.status': '   các luồng và điểm nhận:            {command}',
  'demo.look.backlog': '   video còn nợ, sự cố, phần bị mất:  {command}',
  'demo.look.mqtt': '   dữ liệu giám sát qua MQTT:         {command}',
  'demo.look.ingests': '   những gì nền tảng đã nhận:         {rtmp} (RTMP), {rtsp} (RTSP)',
  'demo.look.backfill': '   những gì đã gửi bù:                {dir}',
  'demo.look.spool': '   bản ghi tại chỗ:                   {dir}',
  'demo.phase.live': '3. Truyền trực tiếp trong {seconds} giây',
  'demo.phase.cut':
    '4. Cắt đường truyền lên trong {seconds} giây: mọi kết nối đến các nền tảng vẫn mở nhưng không có gì đi qua, giống như khi mạng 4G mất. Gateway vẫn tiếp tục ghi hình.',
  'demo.noNetAdmin':
    '   (không có quyền root, gateway không thể ngắt riêng một kết nối đã chết vì cần CAP_NET_ADMIN: nó khởi động lại ffmpeg của camera, và bản ghi bị mất một số giây: phần tổng kết cho biết bao nhiêu)',
  'demo.phase.restore':
    '5. Đường truyền đã có lại: gateway kết nối lại và gửi bù cho các nền tảng phần chúng bị thiếu',
  'demo.tick':
    '   {time}  truyền trực tiếp {live}/{total} điểm nhận, đang ghi {recording}/{streams} camera, còn nợ các nền tảng {owed} giây',
  'demo.outage.open': '   {time}  sự cố: {camera} đến {destination} từ {since} (nguyên nhân: {cause})',
  'demo.cause.uplink': 'đường truyền lên',
  'demo.cause.destination': 'điểm nhận này',
  'demo.cause.camera': 'camera',
  'demo.cause.gateway': 'gateway (tắt hoặc đang khởi động)',
  'demo.outage.closed': '   {time}  hết sự cố: {camera} đến {destination}, {seconds} giây',
  'demo.drainStuck': '   {time}  phần còn nợ không giảm nữa, vẫn còn {owed} giây',
  'demo.summary.title': 'Tổng kết',
  'demo.summary.cameras': '   camera: tìm thấy {found}, đang chuyển tiếp {relayed} ({ids})',
  'demo.summary.notRelayed': '   không chuyển tiếp: {id}: {why}',
  'demo.summary.noStream': 'không có luồng video',
  'demo.summary.nothingArrived':
    '   {destination} không nhận được gì từ {camera}, dù gateway hiển thị trạng thái "{state}"',
  'demo.why.auth':
    'camera từ chối mật khẩu; gateway đã dừng sau {attempts} lần thử và tài khoản không bị khoá',
  'demo.why.authLocked': 'camera từ chối mật khẩu và đã khoá tài khoản sau {attempts} lần thử',
  'demo.why.offline': 'mất kết nối: không có gì trả lời tại {address}',
  'demo.summary.destination':
    '   {id}: {live} giây truyền trực tiếp, {backfill} giây gửi bù ({segments} đoạn), còn nợ {owed} giây, mất {lost} giây',
  'demo.summary.nothingLost':
    '   không mất gì: mọi giây được ghi trong {seconds} giây mất mạng đều đã đến các nền tảng, đã kiểm tra SHA-256',
  'demo.summary.recordingLost': '   mất khỏi bản ghi tại chỗ: {camera}, {seconds} giây ({reason})',
  'demo.summary.notAll':
    '   {id}: thiếu {missing}/{total} đoạn ghi trong lúc mất mạng ở máy nhận, còn nợ {owed} giây, mất {lost} giây',
  'demo.keepRunning': 'Vẫn đang chạy để bạn tìm hiểu. Nhấn Ctrl-C để dừng mọi thứ và xoá {dir}.',
  'demo.failed': 'Bản demo bị lỗi: {error}',
  'demo.interrupted': 'Đã ngắt: đang dừng mọi thứ bản demo đã khởi động...',
  'demo.cleaned': 'Đã dừng mọi thứ bản demo đã khởi động và xoá {dir}.',
};
