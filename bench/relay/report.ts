// bench:relay: the tables printed per camera count and the summary, with the targets met or not.
import type { BaselineResult } from './baseline.ts';
import type { GatewayResult } from './gateway.ts';
import { entry } from './gateway.ts';
import { fmt, median, table } from './harness.ts';
import { type Options } from './options.ts';

// ---------------------------------------------------------------------------------------------
// Report

export interface Result {
  n: number;
  /** Recording was on in both (the default). */
  record: boolean;
  /** The rounds merged: means of the windows, medians of the start-up times, the last round's stall test. */
  gateway: GatewayResult;
  baseline: BaselineResult;
  /** CPU (% of one core) of each round's windows, and the camera rig's in each, its drift gauge. */
  rounds: {
    gateway: number | null;
    baseline: number | null;
    rigGateway: number | null;
    rigBaseline: number | null;
  }[];
  problems: string[];
}

/** Issue 16's targets, with recording on (the default). */
export const TARGETS = {
  /** Gateway CPU (daemon and every child) over the bare tee's, at every count. */
  cpuRatio: 1.25,
  /** Private memory over the bare tee's, at 16 cameras. */
  memoryRatio16: 1.3,
  /** The daemon's own RSS at 16 cameras, MB. */
  daemonRssMB16: 80,
  /** The daemon's own CPU at 16 cameras, % of one core (hashing and indexing included). */
  daemonCpu16: 2,
  /** The whole gateway at 32 cameras, % of one core. */
  gatewayCpu32: 50,
};

export function validity(r: Result): string[] {
  const out = [...r.problems, ...r.gateway.problems.map((p) => `gateway: ${p}`)];
  out.push(...r.baseline.problems.map((p) => `baseline: ${p}`));
  for (const [who, w] of [
    ['gateway', r.gateway.window],
    ['baseline', r.baseline.window],
  ] as const) {
    if (!w) out.push(`${who}: no measurement`);
    else if (w.notGrowing.length > 0) out.push(`${who}: no frames grew for ${w.notGrowing.join(', ')}`);
  }
  return out;
}

export function printCount(r: Result, opts: Options): void {
  const g = r.gateway.window;
  const b = r.baseline.window;
  const ratio = g && b ? g.cpuPercent / b.cpuPercent : NaN;
  const invalid = validity(r);
  console.log(
    `\n== ${r.n} camera(s) x 2 destinations (RTMP + RTSP)${opts.record ? ' + local 4 s segments' : ''}, ` +
      `1080p25 ~4 Mbit/s, ${opts.rounds > 1 ? `${opts.rounds} rounds of ` : ''}${opts.seconds} s windows ==`,
  );
  console.log(
    table([
      ['', 'gateway', 'baseline', 'gateway/baseline'],
      ['CPU, % of one core', fmt(g?.cpuPercent), fmt(b?.cpuPercent), fmt(ratio, 2)],
      [
        'private memory, MB',
        fmt(g?.privateMB),
        fmt(b?.privateMB),
        fmt(g && b ? g.privateMB / b.privateMB : NaN, 2),
      ],
      [
        'ffmpeg only (daemon and its ss left out), % core',
        fmt(g ? g.cpuPercent - (g.daemonAllPercent ?? 0) : NaN),
        fmt(b?.cpuPercent),
        fmt(g && b ? (g.cpuPercent - (g.daemonAllPercent ?? 0)) / b.cpuPercent : NaN, 2),
      ],
      ['processes measured', String(g?.processes ?? '-'), String(b?.processes ?? '-'), ''],
      [
        'daemon alone: CPU user/system, %',
        g ? `${fmt(g.daemonUserPercent)}/${fmt(g.daemonSystemPercent)}` : '-',
        '',
        '',
      ],
      ['daemon with its ss shell and ss, % core', fmt(g?.daemonAllPercent), '', ''],
      ['daemon alone: RSS, MB', fmt(g?.daemonRssMB), '', ''],
      ['daemon alone: private, MB', fmt(g?.daemonPrivateMB), '', ''],
      [
        'lowest fps delivered (rtmp/rtsp)',
        g ? `${fmt(g.minFps.rtmp)}/${fmt(g.minFps.rtsp)}` : '-',
        b ? `${fmt(b.minFps.rtmp)}/${fmt(b.minFps.rtsp)}` : '-',
        '',
      ],
      ['start to frames at every ingest, s', fmt(r.gateway.runToFrames), fmt(r.baseline.spawnToFrames), ''],
      ['run to all streams live (status), s', fmt(r.gateway.runToLive), '', ''],
      [
        'ffmpeg restarts before / in the window',
        `${r.gateway.restartsAtStart}/${r.gateway.restartsInWindow}`,
        '',
        '',
      ],
      ['machine softirq, % core', fmt(g?.softirqPercent), fmt(b?.softirqPercent), ''],
      [
        'camera rig / ingests / rest, % core',
        g ? `${fmt(g.rigPercent, 0)}/${fmt(g.ingestsPercent, 0)}/${fmt(g.otherPercent, 0)}` : '-',
        b ? `${fmt(b.rigPercent, 0)}/${fmt(b.ingestsPercent, 0)}/${fmt(b.otherPercent, 0)}` : '-',
        '',
      ],
    ]),
  );
  if (r.rounds.length > 1) {
    const ratio2 = (a: number | null, b: number | null) => (a !== null && b ? fmt(a / b, 2) : '-');
    console.log(
      `per round, gateway/baseline CPU: ${r.rounds.map((x) => ratio2(x.gateway, x.baseline)).join(', ')}; ` +
        `the camera rig's own CPU in the gateway's window / in the baseline's (same work, so the drift of the machine): ` +
        `${r.rounds.map((x) => ratio2(x.rigGateway, x.rigBaseline)).join(', ')}`,
    );
  }
  if (g) {
    console.log(
      `gateway by process: ${g.breakdown
        .map((k) => `${k.kind} x${k.processes} ${fmt(k.cpuPercent)} % / ${fmt(k.privateMB)} MB`)
        .join('; ')}`,
    );
  }
  const st = r.gateway.stall;
  if (st) {
    console.log(
      `stall -> restart (${st.method} of the RTSP ingest, default relay settings, stallSeconds 10): ` +
        `restart after ${fmt(median(st.restart))} s (median of ${st.restart.length}/${st.cameras}, ` +
        `${fmt(Math.min(...st.restart))}-${fmt(Math.max(...st.restart))}), fault lifted at ${fmt(st.liftedAt)} s, ` +
        `live again ${fmt(median(st.live))} s after the fault (median of ${st.live.length}/${st.cameras}); ` +
        `RTMP destination ${st.othersUnaffected ? 'kept receiving every camera' : 'INTERRUPTED'}, ` +
        `${st.otherRestarts} restart(s) there`,
    );
    if (st.stragglers.length > 0) console.log(`not live again within 60 s: ${st.stragglers.join('; ')}`);
  }
  console.log(
    invalid.length === 0
      ? 'valid: every stream grew at both ingests in both windows'
      : `INVALID: ${invalid.join('; ')}`,
  );
}

export function printSummary(results: Result[]): void {
  console.log('\n== summary ==');
  console.log(`daemon: ${entry?.describe ?? 'unknown'}`);
  const rows = [
    [
      'cameras',
      'gw CPU %',
      'base CPU %',
      'ratio',
      'gw priv MB',
      'base priv MB',
      'daemon RSS MB',
      'daemon priv MB',
      'run->live s',
      'stall->restart s',
      'stall->live s',
      'valid',
    ],
  ];
  for (const r of results) {
    const g = r.gateway.window;
    const b = r.baseline.window;
    rows.push([
      String(r.n),
      fmt(g?.cpuPercent),
      fmt(b?.cpuPercent),
      fmt(g && b ? g.cpuPercent / b.cpuPercent : NaN, 2),
      fmt(g?.privateMB),
      fmt(b?.privateMB),
      fmt(g?.daemonRssMB),
      fmt(g?.daemonPrivateMB),
      fmt(r.gateway.runToLive),
      r.gateway.stall ? fmt(median(r.gateway.stall.restart)) : '-',
      r.gateway.stall ? fmt(median(r.gateway.stall.live)) : '-',
      validity(r).length === 0 ? 'yes' : 'NO',
    ]);
  }
  console.log(table(rows));

  console.log(
    `\ntargets (issue 16${results.some((r) => r.record) ? ', recording on' : ', recording OFF: not the figure asked for'}):`,
  );
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  for (const r of results) {
    const g = r.gateway.window;
    const b = r.baseline.window;
    if (!g || !b) continue;
    const invalid = validity(r);
    if (invalid.length > 0) {
      // An overloaded machine that never had every stream live measures the rig, not the relay.
      console.log(
        `  ${String(r.n).padStart(2)} cameras: run INVALID (${invalid.join('; ')}): targets not judged`,
      );
      continue;
    }
    const ratio = g.cpuPercent / b.cpuPercent;
    console.log(
      `  ${String(r.n).padStart(2)} cameras: CPU ${fmt(ratio, 2)} x the bare tee (<= ${TARGETS.cpuRatio}): ${verdict(ratio <= TARGETS.cpuRatio)}`,
    );
    // The daemon's own threads and what it runs besides ffmpeg (the TCP table's ss).
    const daemonCpu = g.daemonAllPercent ?? (g.daemonUserPercent ?? 0) + (g.daemonSystemPercent ?? 0);
    if (r.n === 16) {
      const mem = g.privateMB / b.privateMB;
      console.log(
        `  16 cameras: private memory ${fmt(mem, 2)} x (<= ${TARGETS.memoryRatio16}): ${verdict(mem <= TARGETS.memoryRatio16)}; ` +
          `daemon RSS ${fmt(g.daemonRssMB)} MB (< ${TARGETS.daemonRssMB16}): ${verdict((g.daemonRssMB ?? Infinity) < TARGETS.daemonRssMB16)}; ` +
          `daemon CPU ${fmt(daemonCpu)} % of one core (<= ${TARGETS.daemonCpu16}): ${verdict(daemonCpu <= TARGETS.daemonCpu16)}`,
      );
    }
    if (r.n === 32)
      console.log(
        `  32 cameras: gateway ${fmt(g.cpuPercent)} % of one core (< ${TARGETS.gatewayCpu32}): ${verdict(g.cpuPercent < TARGETS.gatewayCpu32)}`,
      );
  }
  if (!results.some((r) => r.n === 16)) console.log('  16 cameras (memory, daemon): not measured');
}
