/**
 * Check 1: every Apex class and trigger of the package and the demo parses with @apexdevtools/apex-parser
 * with zero syntax errors (lexer and parser errors both count).
 */
import { readFileSync } from 'node:fs';
import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser';
import { apexFiles, rel } from './sources';

class CollectingListener extends ApexErrorListener {
    readonly errors: string[] = [];
    apexSyntaxError(line: number, column: number, msg: string): void {
        this.errors.push(`${line}:${column} ${msg}`);
    }
}

/** Syntax errors of one Apex source, as `line:column message`. */
export function syntaxErrors(source: string, trigger: boolean): string[] {
    const listener = new CollectingListener();
    const { parser } = ApexParserFactory.createLexerAndParser(source, listener);
    if (trigger) parser.triggerUnit();
    else parser.compilationUnit();
    return listener.errors;
}

const files = apexFiles();

describe('Apex sources parse', () => {
    it('finds the package classes and triggers', () => {
        const names = files.map(rel);
        expect(names).toEqual(expect.arrayContaining(['force-app/main/default/classes/RecordChangeService.cls']));
        expect(names).toEqual(expect.arrayContaining(['demo/main/default/triggers/SuccessPlanTrigger.trigger']));
    });

    it('reports a syntax error when there is one (the check can fail)', () => {
        expect(syntaxErrors('public class Broken { void m( { }', false)).not.toEqual([]);
        expect(syntaxErrors("trigger T on Account (after insert) { String s = 'unterminated; }", true)).not.toEqual([]);
    });

    it.each(files.map((file) => [rel(file), file]))('%s has no syntax errors', (_name, file) => {
        expect(syntaxErrors(readFileSync(file, 'utf8'), file.endsWith('.trigger'))).toEqual([]);
    });
});
