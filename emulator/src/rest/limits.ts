/**
 * `GET /limits`: Salesforce's limit names with `Max` and `Remaining`.
 */
import type { Org } from '../org';

/** `GET /limits`, with what this emulator counts (API calls, events, Bulk query jobs). */
export function limits(org: Org, bulkQueryJobsToday: number): Record<string, unknown> {
    const u = org.api.usage();
    const s = org.bus.stats();
    const lim = (max: number, used = 0) => ({ Max: max, Remaining: Math.max(0, max - used) });
    return {
        ConcurrentAsyncGetReportInstances: lim(200),
        ConcurrentSyncReportRuns: lim(20),
        DailyApiRequests: lim(u.max, u.used),
        DailyAsyncApexExecutions: lim(250000),
        DailyBulkApiBatches: lim(15000),
        DailyBulkV2QueryFileStorageMB: lim(976562),
        DailyBulkV2QueryJobs: lim(10000, bulkQueryJobsToday),
        DailyDeliveredPlatformEvents: lim(org.deliveries.max, org.deliveries.used()),
        DailyStreamingApiEvents: lim(1000000),
        DataStorageMB: lim(1024),
        FileStorageMB: lim(1024),
        HourlyPublishedPlatformEvents: lim(250000, s.published),
        HourlyPublishedStandardVolumePlatformEvents: lim(1000),
        MonthlyPlatformEventsUsageEntitlement: lim(1500000, s.delivered),
        SingleEmail: lim(5000),
        StreamingApiConcurrentClients: lim(2000, s.clients)
    };
}
