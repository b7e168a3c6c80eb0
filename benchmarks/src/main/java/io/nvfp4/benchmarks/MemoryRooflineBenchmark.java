package io.nvfp4.benchmarks;

import io.nvfp4.backend.ComputePool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The memory roofline: a streaming read (a sum) of {@code mib} MiB, the same amount the streamed GEMV
 * cycles through, split over the pool's threads. Two kernels, the Vector API and a plain loop that C2
 * vectorizes; the report keeps the faster as the roofline, so that ratios against it are honest.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g",
        "--sun-misc-unsafe-memory-access=allow"})
public class MemoryRooflineBenchmark {
    private static final int CHUNKS_PER_THREAD = 8;

    /** {@code vector} (jdk.incubator.vector) or {@code loop} (plain Java). */
    @Param({"vector", "loop"})
    public String impl;

    /** Threads of the compute pool, the caller included. */
    @Param({"1", "2"})
    public int threads;

    /** MiB read per call. */
    @Param({"512"})
    public int mib;

    private long[] data;
    private long[] partial;
    private ComputePool pool;
    private boolean vector;

    /** Made by JMH, once per trial. */
    public MemoryRooflineBenchmark() {}

    /** Fills the buffer (touching every page) and makes the pool. */
    @Setup(Level.Trial)
    public void setUp() {
        data = new long[Math.toIntExact(((long) mib << 20) / Long.BYTES)];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        int chunks = threads * CHUNKS_PER_THREAD;
        partial = new long[chunks];
        pool = ComputePool.create(threads);
        vector = switch (impl) {
            case "vector" -> true;
            case "loop" -> false;
            default -> throw new IllegalArgumentException("impl is vector or loop, got " + impl);
        };
    }

    /** One read of the whole buffer. */
    @Benchmark
    public long read() {
        int chunks = partial.length;
        int size = Math.ceilDiv(data.length, chunks);
        pool.parallelFor(chunks, t -> {
            int from = t * size;
            int to = Math.min(data.length, from + size);
            partial[t] = vector ? VectorProbeKernels.sum(data, from, to) : ProbeKernels.sum(data, from, to);
        });
        long s = 0;
        for (long p : partial) {
            s += p;
        }
        return s;
    }

    /** Stops the pool. */
    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }
}
