/**
 * Check 2: Salesforce Code Analyzer (code-analyzer-core with the PMD engine, offline, Java 17) runs the
 * Recommended PMD rules over every Apex class and trigger of the package and the demo. No violation of
 * severity 1 (critical) or 2 (high) is allowed; every other finding is fixed or suppressed in place with
 * `@SuppressWarnings('PMD.X')` and a written reason, so the run reports none at all.
 *
 * A fixture class with a known high-severity problem is analysed in the same run to prove the check can fail.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeAnalyzer, CodeAnalyzerConfig, EventType, LogLevel } from '@salesforce/code-analyzer-core';
import type { LogEvent, RunResults, Violation } from '@salesforce/code-analyzer-core';
import { createEnginePlugin } from '@salesforce/code-analyzer-pmd-engine';
import { apexFiles, rel, ROOT } from './sources';

jest.setTimeout(240_000);

const FIXTURE = `public class AnalyzerFixture {
    public static String run() {
        for (Integer i = 0; i < 3; i++) {
            delete [SELECT Id FROM Account LIMIT 1];
        }
        return Schema.Account.SObjectType.getDescribe().getName();
    }
}
`;

interface Finding {
    severity: number;
    rule: string;
    file: string;
    line: number | undefined;
    message: string;
}

let workDir: string;
let fixture: string;
let findings: Finding[] = [];
const errors: string[] = [];
let seconds = 0;

function toFinding(v: Violation): Finding {
    const location = v.getPrimaryLocation();
    return {
        severity: v.getRule().getSeverityLevel(),
        rule: v.getRule().getName(),
        file: location.getFile() ?? '',
        line: location.getStartLine(),
        message: v.getMessage()
    };
}

beforeAll(async () => {
    const started = Date.now();
    workDir = mkdtempSync(join(tmpdir(), 'statisfy-analyzer-'));
    fixture = join(workDir, 'AnalyzerFixture.cls');
    writeFileSync(fixture, FIXTURE);
    const config = CodeAnalyzerConfig.fromObject(
        { log_folder: workDir, engines: { cpd: { disable_engine: true } } },
        ROOT
    );
    const analyzer = new CodeAnalyzer(config);
    analyzer.onEvent(EventType.LogEvent, (event: LogEvent) => {
        if (event.logLevel <= LogLevel.Error) errors.push(event.message);
    });
    await analyzer.addEnginePlugin(createEnginePlugin());
    const workspace = await analyzer.createWorkspace([...apexFiles(), fixture]);
    const rules = await analyzer.selectRules(['pmd:Recommended'], { workspace });
    const results: RunResults = await analyzer.run(rules, { workspace });
    findings = results.getViolations().map(toFinding);
    seconds = (Date.now() - started) / 1000;
    const counts: Record<string, number> = {};
    for (const f of findings.filter((x) => x.file !== fixture))
        counts[`severity ${f.severity}`] = (counts[`severity ${f.severity}`] ?? 0) + 1;
    console.info(
        `Code Analyzer: ${rules.getCount()} PMD rules, ${apexFiles().length} files, ${seconds.toFixed(1)} s`,
        counts
    );
});

afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('Salesforce Code Analyzer (PMD Recommended)', () => {
    it('ran without engine errors', () => {
        expect(errors).toEqual([]);
    });

    it('catches a high-severity problem in a fixture (the check can fail)', () => {
        const fixtureFindings = findings.filter((f) => f.file === fixture);
        expect(fixtureFindings.some((f) => f.severity <= 2)).toBe(true);
    });

    it('finds no violation of severity 1 or 2 in the package', () => {
        const high = findings.filter((f) => f.file !== fixture && f.severity <= 2);
        expect(high.map((f) => `${f.severity} ${f.rule} ${rel(f.file)}:${f.line} ${f.message}`)).toEqual([]);
    });

    it('leaves nothing unjustified: the remaining findings are fixed or suppressed in place', () => {
        const rest = findings.filter((f) => f.file !== fixture);
        expect(rest.map((f) => `${f.severity} ${f.rule} ${rel(f.file)}:${f.line} ${f.message}`)).toEqual([]);
    });

    it('gives a reason for every @SuppressWarnings', () => {
        const unexplained: string[] = [];
        for (const file of apexFiles()) {
            const lines = readFileSync(file, 'utf8').split('\n');
            lines.forEach((line, i) => {
                if (!/@SuppressWarnings\(/.test(line)) return;
                const context = lines.slice(Math.max(0, i - 25), i + 8).join('\n');
                if (!/Reason\b/.test(context)) unexplained.push(`${rel(file)}:${i + 1}`);
            });
        }
        expect(unexplained).toEqual([]);
    });
});
