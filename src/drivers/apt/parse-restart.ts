// checkrestart (debian-goodies): processes still using files replaced by an upgrade. Throws
// DriverOutputError on output it cannot read.
import type { CommandResult, PackageProcesses, RestartCheck } from '../types.js';
import { fail, splitLines, splitQualified } from './common.js';

/** `checkrestart` output; undefined when it is not installed on the host (exit status 127). */
export function parseCheckRestart(out: CommandResult): RestartCheck | undefined {
  if (out.exitCode === 127) return undefined;
  return parseCheckRestartText(out.stdout);
}

export function parseCheckRestartText(text: string): RestartCheck {
  const lines = splitLines(text);
  const found = lines
    .map((l) => /^Found (\d+) processes? using old versions of upgraded files/.exec(l))
    .find((m) => m !== null);
  if (found === undefined || found === null) throw fail('checkrestart: no "Found N processes" line', text);
  const result: RestartCheck = {
    processes: Number(found[1]),
    restartable: [],
    services: [],
    initScripts: [],
    other: [],
  };
  let target: PackageProcesses[] | undefined;
  let pkg: PackageProcesses | undefined;
  let mode: 'packages' | 'services' | 'init' | undefined;
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if (line.startsWith('to restart their services:')) {
      [target, mode] = [result.restartable, 'packages'];
    } else if (/^These processes \(\d+\) do not seem to have an associated init script/.test(line)) {
      [target, mode] = [result.other, 'packages'];
    } else if (line.startsWith('These are the systemd services:')) {
      [target, mode] = [undefined, 'services'];
    } else if (line.startsWith('These are the initd scripts:')) {
      [target, mode] = [undefined, 'init'];
    } else if (mode === 'packages' && target !== undefined && (m = /^(\S+):$/.exec(line)) !== null) {
      pkg = { name: splitQualified(m[1] ?? '').name, processes: [] };
      target.push(pkg);
    } else if (mode === 'packages' && pkg !== undefined && (m = /^\t(\d+)\s+(\S.*)$/.exec(line)) !== null) {
      pkg.processes.push({ pid: Number(m[1]), path: m[2] ?? '' });
    } else if (mode === 'services' && (m = /^systemctl restart (\S+)$/.exec(line)) !== null) {
      result.services.push(m[1] ?? '');
    } else if (mode === 'init' && (m = /^service (\S+) restart$/.exec(line)) !== null) {
      result.initScripts.push(m[1] ?? '');
    }
  }
  return result;
}
