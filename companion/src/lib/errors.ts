/**
 * Errors: one AppError type and ONE handler used by Express, the process events and the workers.
 *
 * ✅ Every failure leaving the companion through the API is `{"error":{"code","message","details"?}}` with a
 * 4xx or 5xx status; anything that is not an AppError is normalised into a 500 `INTERNAL` without leaking its text.
 */
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';

/** A problem in one part of a request, e.g. one field of a body. */
export interface ErrorDetail {
    /** Where: a body path (`fields.Account.Name`), a query parameter or a field key. */
    path?: string;
    /** A machine-readable code for this detail, e.g. `FIELD_NOT_EDITABLE`. */
    code?: string;
    message: string;
}

/** Options of an {@link AppError}. */
export interface AppErrorOptions {
    details?: ErrorDetail[];
    /** When true the process cannot continue safely; the handler starts a shutdown. */
    isCatastrophic?: boolean;
    cause?: unknown;
}

/** An error the companion knows how to report: a stable code, a human message, an HTTP status. */
export class AppError extends Error {
    readonly details?: ErrorDetail[];
    readonly isCatastrophic: boolean;

    constructor(
        readonly code: string,
        message: string,
        readonly httpStatus = 500,
        options: AppErrorOptions = {}
    ) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = 'AppError';
        this.details = options.details;
        this.isCatastrophic = options.isCatastrophic ?? false;
    }

    /** The JSON body of the API's error answer. */
    toBody(): { error: { code: string; message: string; details?: ErrorDetail[] } } {
        return {
            error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) }
        };
    }
}

/** 400: the request itself is malformed (body, query, path). */
export const badRequest = (message: string, details?: ErrorDetail[]) =>
    new AppError('BAD_REQUEST', message, 400, { details });
/** 401: no or an unknown token. */
export const unauthorized = (message = 'A valid API token is required: Authorization: Bearer <token>') =>
    new AppError('UNAUTHORIZED', message, 401);
/** 403: the token is valid but its role may not do this. */
export const forbidden = (message: string) => new AppError('FORBIDDEN', message, 403);
/** 404: nothing of that name in this tenant. */
export const notFound = (message: string) => new AppError('NOT_FOUND', message, 404);
/** 409: the request conflicts with the current state. */
export const conflict = (message: string, details?: ErrorDetail[]) =>
    new AppError('CONFLICT', message, 409, { details });
/** 422: well-formed but refused by a business rule. */
export const unprocessable = (code: string, message: string, details?: ErrorDetail[]) =>
    new AppError(code, message, 422, { details });
/** 503: a part this request needs is not available (the org, the sync engine). */
export const unavailable = (code: string, message: string) => new AppError(code, message, 503);

/** Turns a zod error into a 400 naming every problem (`where: what`). */
export function fromZodError(error: z.ZodError, where: string): AppError {
    const details = error.issues.map((issue) => ({
        path: [where, ...issue.path.map(String)].join('.'),
        code: issue.code.toUpperCase(),
        message: issue.message
    }));
    const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
    return new AppError('VALIDATION_FAILED', `Invalid request ${where}: ${summary}`, 400, { details });
}

/** Something that wants to know about each handled error (metrics). */
export type ErrorObserver = (error: AppError) => void;

/**
 * The one error handler. `handle()` normalises anything thrown into an AppError, logs it once at the right level,
 * tells the observers, and on a catastrophic error calls `onCatastrophic` (the composition root wires a graceful
 * shutdown there).
 */
export class ErrorHandler {
    private readonly observers: ErrorObserver[] = [];

    constructor(
        private readonly logger: Logger,
        private readonly onCatastrophic: (error: AppError) => void = () => undefined
    ) {}

    /** Registers an observer called for every handled error. */
    observe(observer: ErrorObserver): void {
        this.observers.push(observer);
    }

    /** Normalises, logs and reports an error; returns the AppError to answer with. */
    handle(error: unknown, origin = 'unknown'): AppError {
        const appError = normalize(error);
        const fields = { err: error instanceof Error ? error : String(error), code: appError.code, origin };
        if (appError.httpStatus >= 500) this.logger.error(fields, appError.message);
        else this.logger.info({ code: appError.code, origin, status: appError.httpStatus }, appError.message);
        for (const observer of this.observers) {
            try {
                observer(appError);
            } catch {
                // An observer must never turn one error into two.
            }
        }
        if (appError.isCatastrophic) this.onCatastrophic(appError);
        return appError;
    }

    /** Express error middleware answering with the error body. */
    express(): ErrorRequestHandler {
        return (error, _req, res, next) => {
            if (res.headersSent) return next(error);
            const appError = this.handle(error, 'http');
            res.status(appError.httpStatus).json(appError.toBody());
        };
    }

    /** Routes `uncaughtException` and `unhandledRejection` here; returns a function removing the listeners. */
    installProcessHandlers(): () => void {
        const onException = (error: unknown) =>
            this.handle(
                new AppError('UNCAUGHT_EXCEPTION', describe(error), 500, { isCatastrophic: true, cause: error }),
                'process'
            );
        const onRejection = (reason: unknown) => this.handle(reason, 'unhandledRejection');
        process.on('uncaughtException', onException);
        process.on('unhandledRejection', onRejection);
        return () => {
            process.off('uncaughtException', onException);
            process.off('unhandledRejection', onRejection);
        };
    }
}

function describe(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/** Maps anything thrown to an AppError; unknown errors become a 500 whose text is not exposed. */
export function normalize(error: unknown): AppError {
    if (error instanceof AppError) return error;
    if (error instanceof z.ZodError) return fromZodError(error, 'input');
    const e = error as { type?: string; status?: number; statusCode?: number; expose?: boolean; message?: string };
    // body-parser errors (bad JSON, too large) carry an http status and are safe to expose.
    if (e && typeof e === 'object' && e.expose && typeof (e.status ?? e.statusCode) === 'number') {
        const status = (e.status ?? e.statusCode) as number;
        const code = e.type === 'entity.parse.failed' ? 'INVALID_JSON' : 'BAD_REQUEST';
        const message =
            e.type === 'entity.parse.failed' ? `Request body is not valid JSON: ${e.message}` : String(e.message);
        return new AppError(code, message, status, { cause: error });
    }
    return new AppError('INTERNAL', 'Internal error; see the companion log for details', 500, { cause: error });
}
