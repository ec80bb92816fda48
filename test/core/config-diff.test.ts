// What a reload applies live and what waits for a restart, named from two configurations.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.ts';
import { configDiff } from '../../src/core/config-diff.ts';

const base = {
  site: { id: 's', name: 'S' },
  cameras: [{ id: 'cam-1', url: 'rtsp://10.0.0.1/a' }],
  destinations: [
    { id: 'a', url: 'rtmp://x/live/{cameraId}' },
    { id: 'b', url: 'rtsp://y/live/{cameraId}' },
  ],
  recording: { dir: '/tmp/rec' },
  store: { path: '/tmp/g.db' },
  mqtt: { url: 'mqtt://127.0.0.1:1' },
};
const cfg = (patch: (d: typeof base) => void) => {
  const d = structuredClone(base);
  patch(d);
  return validateConfig(d, 'test.yaml');
};

describe('configDiff', () => {
  it('names the destination whose URL changed and nothing else', () => {
    const d = configDiff(
      cfg(() => undefined),
      cfg((d) => (d.destinations[1]!.url = 'rtsp://z/live/{cameraId}')),
    );
    expect(d).toEqual({ cameras: [], destinations: ['b'], sections: ['destinations'], restartNeeded: [] });
  });

  it('names added and removed cameras, and sections that need a restart', () => {
    const d = configDiff(
      cfg(() => undefined),
      cfg((d) => {
        d.cameras = [{ id: 'cam-2', url: 'rtsp://10.0.0.2/a' }];
        d.mqtt.url = 'mqtt://127.0.0.1:2';
      }),
    );
    expect(d).toEqual({
      cameras: ['cam-1', 'cam-2'],
      destinations: [],
      sections: ['cameras', 'mqtt'],
      restartNeeded: ['mqtt'],
    });
  });

  it('is empty for the same file', () => {
    expect(
      configDiff(
        cfg(() => undefined),
        cfg(() => undefined),
      ).sections,
    ).toEqual([]);
  });
});
