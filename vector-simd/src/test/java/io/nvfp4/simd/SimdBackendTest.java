package io.nvfp4.simd;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.Backends;
import io.nvfp4.backend.ComputePool;
import io.nvfp4.backend.PreparedWeight;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ElementType;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Discovery, the forced scalar fallback, the E4M3 encoder, concurrent use and zero allocation per GEMV. */
class SimdBackendTest {

    @Tag("width")
    @Test
    void isDiscoveredAndChosenUnlessScalarIsForced() {
        assertThat(Backends.all()).extracting(Backend::name).contains("simd", "scalar");
        assertThat(new SimdBackend().isSupported()).as(SimdBackend.status()).isTrue();
        int bits = Math.min(Integer.getInteger("nvfp4.simd.bits", 512),
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
        assertThat(SimdBackend.status()).contains(bits + "-bit vectors");
        assertThat(Vec.BITS).isEqualTo(bits);
        String forced = System.getProperty(Backends.PROPERTY);
        assertThat(Backends.get().name()).isEqualTo(forced == null ? "simd" : forced);
        assertThat(Backends.named("simd")).isInstanceOf(SimdBackend.class);
    }

    @Test
    void e4m3EncoderMatchesTheReferenceEncoder() {
        for (int bits = 0; bits >= 0 && bits < 0x7F800001; bits += 1 + (bits >>> 18)) {
            check(Float.intBitsToFloat(bits));
            check(-Float.intBitsToFloat(bits));
        }
        for (int code = 0; code < 256; code++) { // every value and every midpoint between neighbours
            float v = ElementType.E4M3.decode(code);
            check(v);
            check(Math.nextUp(v));
            check(Math.nextDown(v));
            float next = ElementType.E4M3.decode(code + 1);
            if (Float.isFinite(v) && Float.isFinite(next)) {
                float mid = (v + next) / 2;
                check(mid);
                check(Math.nextUp(mid));
                check(Math.nextDown(mid));
            }
        }
        for (float v : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 448f, 464f, 480f,
                Float.MIN_VALUE, 0x1p-10f, 0x1.8p-10f, 0x1p-6f}) {
            check(v);
            check(-v);
        }
    }

    private static void check(float v) {
        int expected = ElementType.E4M3.encode(v);
        int actual = ScaleMath.encodeE4M3(v);
        if (actual != expected) {
            throw new AssertionError("E4M3 of " + v + " (0x" + Integer.toHexString(Float.floatToRawIntBits(v))
                    + "): 0x" + Integer.toHexString(actual) + ", the reference gives 0x" + Integer.toHexString(expected));
        }
    }

    @Test
    void onePreparedWeightFromEightThreadsGivesTheSingleThreadedResult() throws Exception {
        SimdBackend simd = new SimdBackend();
        int n = 96;
        int k = 272;
        QuantizedMatrix q = Quantizer.nvfp4().quantize(Weights.generate(n, k, 21).values(), n, k);
        int[] ms = {1, 1, 3, 13};
        float[][] inputs = new float[ms.length][];
        float[][] expected = new float[ms.length][];
        try (PreparedWeight prepared = simd.prepare(q); ComputePool single = ComputePool.create(1)) {
            for (int i = 0; i < ms.length; i++) {
                inputs[i] = Weights.activations(ms[i] * k, 100 + i);
                expected[i] = new float[ms[i] * n];
                simd.matmul(prepared, FloatMatrix.of(inputs[i], ms[i], k), expected[i], single);
            }
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int id = t;
                    done.add(threads.submit(() -> {
                        start.await();
                        for (int round = 0; round < 30; round++) {
                            int i = (id + round) % ms.length;
                            float[] y = new float[ms[i] * n];
                            simd.matmul(prepared, FloatMatrix.of(inputs[i], ms[i], k), y); // the shared pool
                            assertThat(y).as("thread %d round %d", id, round).isEqualTo(expected[i]);
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                threads.shutdownNow();
            }
        }
    }

    /**
     * After warm-up a GEMV allocates nothing, on the calling thread or the pool's workers. The kernels
     * run interpreted (and box every vector) until C2 compiles them, so this waits for that, up to a limit.
     */
    @Test
    void gemvAllocatesNothingOnceWarm() throws Exception {
        SimdBackend simd = new SimdBackend();
        int n = 512;
        int k = 1024;
        QuantizedMatrix nv = Quantizer.nvfp4().quantize(Weights.generate(n, k, 1).values(), n, k);
        QuantizedMatrix mx = Quantizer.mx(BlockFormat.MXFP4).quantize(Weights.generate(n, k, 2).values(), n, k);
        float[] x = Weights.activations(k, 3);
        float[] y = new float[n];
        FloatMatrix input = FloatMatrix.of(x, 1, k);
        try (ComputePool pool = ComputePool.create(2); PreparedWeight a = simd.prepare(nv); PreparedWeight b = simd.prepare(mx)) {
            simd.matmul(a, input, y, pool); // starts the worker
            long perCall = Allocations.perCallOnceWarm(() -> {
                for (int i = 0; i < 200; i++) {
                    simd.matmul(a, input, y, pool);
                    simd.matmul(b, input, y, pool);
                }
            }, 400);
            assertThat(perCall).as("bytes allocated per GEMV").isZero();
        }
    }
}
