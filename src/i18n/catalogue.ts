// Every human-facing sentence, by key. The Vietnamese catalogue (vi.ts) mirrors these keys;
// a missing translation falls back to English rather than showing a key.
export const en = {
  'cli.noDaemonConfig':
    'No configuration found. Pass --config FILE or create /etc/edge-gateway/gateway.yaml.',
  'config.ok':
    'Configuration {file} is valid: site {site}, {cameras} manual camera(s), {destinations} destination(s).',
  'discover.none':
    "No cameras found. Multicast does not cross VLANs or Docker bridges: add the cameras' subnet with --scan CIDR, or their addresses as manual entries. See docs/discovery.md.",
  'discover.progress.probe': 'probing {interfaces} interface(s) for {seconds} s',
  'discover.progress.scan': 'scanning {hosts} address(es) on {ports} port(s)',
  'discover.progress.profile': 'reading {count} device(s)',
  'discover.ignored': 'Answered, but not usable as a camera:',
  'discover.summary': '{usable} usable camera(s), {failed} device(s) answered but cannot be used',
  'diagnose.verdict.pass': 'All checks passed.',
  'diagnose.verdict.warn': 'Works, with warnings.',
  'diagnose.verdict.fail': 'Failed at: {step}.',
  'hint.tcp.refused':
    "Nothing listens on {target}. Check the camera's ONVIF port in its web page (common: 80, 8000, 8080, 8899, 2020) and that ONVIF is enabled.",
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

export type MessageKey = keyof typeof en;
