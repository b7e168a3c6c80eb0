package io.nvfp4.io.checkpoint;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed number of worker threads for the chunks of a conversion. It is a {@link ForkJoinPool} so
 * that the parallel streams inside a backend's quantizer, started from a worker, run on these same
 * threads rather than on the common pool: the thread count a user asks for bounds all the work, and
 * with it the memory in flight (one chunk a thread).
 */
final class Workers implements AutoCloseable {
    /** A unit of work. */
    interface Work {
        void run() throws IOException;
    }

    private final ForkJoinPool pool;
    private final int threads;

    Workers(int threads) {
        this.threads = threads;
        this.pool = new ForkJoinPool(threads);
    }

    int threads() {
        return threads;
    }

    /**
     * Runs every item, in parallel, and returns when all are done. Each thread takes the next item
     * from a shared counter, so the items run roughly in order (writes go through the output file
     * front to back) and a slow item holds up only its own thread. After the first failure no new
     * item starts; the failure is rethrown (an {@link IOException} as itself).
     */
    void run(List<? extends Work> items) throws IOException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger next = new AtomicInteger();
        List<ForkJoinTask<?>> tasks = new ArrayList<>();
        for (int t = 0; t < Math.min(threads, items.size()); t++) {
            tasks.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < items.size() && failure.get() == null; i = next.getAndIncrement()) {
                    try {
                        items.get(i).run();
                    } catch (Throwable e) {
                        if (!failure.compareAndSet(null, e)) {
                            failure.get().addSuppressed(e);
                        }
                    }
                }
            }));
        }
        try {
            for (ForkJoinTask<?> task : tasks) {
                task.get();
            }
        } catch (InterruptedException e) {
            tasks.forEach(task -> task.cancel(true));
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("interrupted");
            interrupted.initCause(e);
            throw interrupted;
        } catch (ExecutionException e) {
            failure.compareAndSet(null, e.getCause());
        }
        Throwable t = failure.get();
        switch (t) {
            case null -> { }
            case IOException io -> throw io;
            case UncheckedIOException io -> throw io.getCause();
            case RuntimeException r -> throw r;
            case Error e -> throw e;
            default -> throw new IOException(t);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
