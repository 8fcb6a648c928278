import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { makePlan } from '../../engine/make-plan.js';
import { serialisePlan, writePlanFile } from '../../engine/plan-file.js';
import { renderPlanMarkdown } from '../../render/plan-markdown.js';
import { renderPlanText } from '../../render/plan-text.js';
import type { RawCommon } from '../common-options.js';
import { addAtOption, addCommonOptions, commonOptions, parseAt } from '../common-options.js';
import { EXIT_CHANGES, EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

interface RawPlan extends RawCommon {
  at?: string;
  out?: string;
  detailedExitcode?: boolean;
  ring?: string;
  hosts?: string;
}

export function planCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('plan')
    .description('show what apply would do: per ring and host, the upgrades, reboots and skipped updates')
    .option('--out <file>', 'also save the plan (JSON) for `patchctl apply <file>`')
    .option('--detailed-exitcode', 'exit 2 when the plan has changes, 0 when it has none')
    .option('--ring <ring>', 'only this ring')
    .option('--hosts <names>', 'only these hosts (comma-separated)')
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl plan -C ops/patching
  $ patchctl plan --at 2026-12-11T21:00:00Z --ring canary
  $ patchctl plan --format markdown > plan.md          # a pull-request comment
  $ patchctl plan --out plan.json --detailed-exitcode  # CI: exit 2 when there is work

Exit status: 0 no changes (or changes without --detailed-exitcode), 2 changes with
--detailed-exitcode, 3 invalid configuration or state, 1 other failures.`,
    );
  addCommonOptions(cmd, ['text', 'json', 'markdown']);
  addAtOption(cmd);
  cmd.action((raw: RawPlan) => {
    const opts = commonOptions(raw, io);
    const at = parseAt(raw.at, io);
    const hosts = raw.hosts
      ?.split(',')
      .map((h) => h.trim())
      .filter((h) => h !== '');
    const { plan, warnings } = makePlan(opts.dir, at, {
      ...(raw.ring !== undefined ? { ring: raw.ring } : {}),
      ...(hosts ? { hosts } : {}),
    });
    if (raw.out) writePlanFile(path.resolve(io.cwd, raw.out), plan);
    switch (opts.format) {
      case 'json':
        io.stdout(serialisePlan(plan));
        break;
      case 'markdown':
        io.stdout(renderPlanMarkdown(plan));
        break;
      default:
        if (opts.verbose) for (const w of warnings) io.stderr(`warning ${w.code}: ${w.message}\n`);
        io.stdout(renderPlanText(plan, { color: opts.color }));
        if (raw.out && !opts.quiet)
          io.stdout(`\nSaved the plan to ${raw.out}; apply it with: patchctl apply ${raw.out}\n`);
    }
    // In GitHub Actions the plan also goes to the job summary.
    const summary = io.env.GITHUB_STEP_SUMMARY;
    if (summary && io.env.GITHUB_ACTIONS === 'true') appendFileSync(summary, `${renderPlanMarkdown(plan)}\n`);
    const changes = plan.summary.updates + plan.summary.reboots > 0;
    setExit(raw.detailedExitcode && changes ? EXIT_CHANGES : EXIT_OK);
  });
  return cmd;
}
