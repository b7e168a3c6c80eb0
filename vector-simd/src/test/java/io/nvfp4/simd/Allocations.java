package io.nvfp4.simd;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/** What a warm kernel call allocates, on the calling thread and the compute pools' workers. */
final class Allocations {
    private Allocations() {}

    /**
     * Runs {@code round}, which makes {@code calls} kernel calls, until a round allocates nothing or 40
     * seconds have passed (C2 must compile the kernels first), and returns the bytes per call of the
     * last round. Only threads alive now are counted: start the pool's workers before.
     */
    static long perCallOnceWarm(Runnable round, int calls) {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Long> ids = new ArrayList<>();
        ids.add(Thread.currentThread().threadId());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("nvfp4-compute-")) {
                ids.add(t.threadId());
            }
        }
        long[] threadIds = ids.stream().mapToLong(Long::longValue).toArray();
        long deadline = System.nanoTime() + 40_000_000_000L;
        long perCall = Long.MAX_VALUE;
        while (System.nanoTime() < deadline && perCall != 0) {
            long before = sum(bean.getThreadAllocatedBytes(threadIds));
            round.run();
            perCall = (sum(bean.getThreadAllocatedBytes(threadIds)) - before) / calls;
        }
        return perCall;
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += Math.max(0, v); // -1: a thread that has ended
        }
        return s;
    }
}
