package io.nvfp4.simd;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.ComputePool;
import io.nvfp4.backend.PreparedWeight;
import io.nvfp4.backend.ScalarBackend;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Panama Vector API backend, {@code simd} (priority 100): NVFP4 (every recipe) and MXFP4 (every
 * MX recipe) quantize, dequantize and matmul with {@code jdk.incubator.vector}, NVFP4 quantize with
 * each {@link io.nvfp4.quantize.ScaleRule scale rule} too; other formats, and quantizers with 16 x 16
 * tiles, stochastic rounding or a rotation, go to the {@link ScalarBackend scalar reference} (said once
 * per format in the log). Quantize and dequantize produce the scalar path's bytes and floats exactly;
 * matmul multiplies the exactly dequantized weights, within {@link ScalarBackend#matmulErrorBound}.
 *
 * <p>{@link #isSupported()} probes the JVM the first time it is called and logs the outcome once
 * (see {@link SimdSupport}): it needs the {@code jdk.incubator.vector} module
 * ({@code --add-modules jdk.incubator.vector} on the class path), HotSpot's C2, Java 25 (newer with
 * {@code -Dnvfp4.simd.upperJavaFeatureVersion}), and 256-bit or wider vectors; {@code -Dnvfp4.simd.bits=256}
 * narrows 512-bit vectors. No Vector API class is loaded before those checks pass, and an
 * unsupported instance still works, through the scalar reference.
 *
 * <h2>matmul</h2>
 * {@link #prepare} repacks the codes into groups of L rows (L = float lanes) and the scales likewise
 * ({@link PackedWeight}). M = 1 runs the GEMV kernel ({@link Gemv}): weights stream once; a few rows
 * (a sentence's tokens) run {@link SmallGemm}: weights decoded in registers and used for 6 rows at a
 * time; more rows run the GEMM ({@link Gemm}): W panels dequantized into an L1 tile, a 6 x 4-vector
 * FMA micro-kernel. For M > 1 each output is one FMA chain in k order, whichever kernel ran. All
 * split over the caller's {@link ComputePool} and allocate nothing per call once warm.
 */
public final class SimdBackend implements Backend {
    /** {@link #name()}: the value of {@code -Dnvfp4.backend} that forces this backend. */
    public static final String NAME = "simd";

    private static final Logger LOG = LoggerFactory.getLogger(SimdBackend.class);
    private static final Set<String> FALLBACK_LOGGED = ConcurrentHashMap.newKeySet();

    private final ScalarBackend scalar = new ScalarBackend();

    /** For {@link java.util.ServiceLoader}: cheap, touches no optional module. */
    public SimdBackend() {}

    @Override
    public String name() { return NAME; }

    @Override
    public int priority() { return 100; }

    @Override
    public boolean isSupported() {
        return Support.STATUS.supported();
    }

    /** What the probe found: the vector width, or why the backend is not supported. */
    public static String status() {
        return Support.STATUS.detail();
    }

    @Override
    public QuantizedMatrix quantize(Quantizer quantizer, FloatMatrix input) {
        Objects.requireNonNull(quantizer, "quantizer");
        Objects.requireNonNull(input, "input");
        if (isSupported() && SimdQuantizer.accepts(quantizer)) {
            return SimdQuantizer.quantize(quantizer, input);
        }
        fallback(quantizer.format(), quantizer.withScaleRule(io.nvfp4.quantize.ScaleRule.REFERENCE).reproducesReference()
                ? "quantize" : "quantize with 16 x 16 tiles, stochastic rounding or a rotation");
        return scalar.quantize(quantizer, input);
    }

    @Override
    public void dequantizeRow(QuantizedMatrix weight, long row, float[] dst) {
        Objects.requireNonNull(weight, "weight");
        if (isSupported() && hasKernels(weight.format())) {
            SimdDequantizer.dequantizeRow(weight, row, dst);
            return;
        }
        fallback(weight.format(), "dequantize");
        scalar.dequantizeRow(weight, row, dst);
    }

    @Override
    public PreparedWeight prepare(QuantizedMatrix weight) {
        Objects.requireNonNull(weight, "weight");
        if (isSupported() && hasKernels(weight.format())) {
            if (PackedWeight.fits(weight)) {
                return PackedWeight.pack(weight, this);
            }
            LOG.info("nvfp4 simd: {} has more than 2^31 ints of packed codes; its matmul runs on the scalar reference", weight);
        } else {
            fallback(weight.format(), "matmul");
        }
        return new ScalarWeight(scalar.prepare(weight), this);
    }

    @Override
    public void matmul(PreparedWeight weight, FloatMatrix x, float[] y, ComputePool pool) {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        Objects.requireNonNull(pool, "pool");
        if (weight.backend() != this) {
            throw new IllegalArgumentException("weight was prepared by backend " + weight.backend().name()
                    + ", not this " + NAME + " backend");
        }
        QuantizedMatrix w = weight.weight();
        if (x.columns() != w.columns()) {
            throw new IllegalArgumentException("x is " + x.rows() + " x " + x.columns() + " but W is " + w.rows()
                    + " x " + w.columns() + ": K differs");
        }
        if ((double) x.rows() * w.rows() > y.length) {
            throw new IllegalArgumentException("y holds " + y.length + " floats, x * W^T needs " + x.rows() + " x "
                    + w.rows());
        }
        switch (weight) {
            case PackedWeight packed -> {
                packed.checkOpen();
                Matmul.run(packed, x, y, pool);
            }
            case ScalarWeight fallback -> scalar.matmul(fallback.inner(), x, y, pool);
            default -> throw new IllegalArgumentException("unknown prepared weight " + weight);
        }
    }

    @Override
    public String toString() {
        return NAME + " backend (" + status() + ")";
    }

    private static boolean hasKernels(BlockFormat format) {
        return format == BlockFormat.NVFP4 || format == BlockFormat.MXFP4;
    }

    private void fallback(BlockFormat format, String what) {
        if (FALLBACK_LOGGED.add(format + " " + what)) {
            LOG.info("nvfp4 simd: {} {} runs on the scalar reference{}", format, what,
                    isSupported() ? (hasKernels(format) ? "" : ": vector kernels cover NVFP4 and MXFP4")
                            : " (" + status() + ")");
        }
    }

    /** A weight of a format without vector kernels, prepared by the scalar reference. */
    private record ScalarWeight(PreparedWeight inner, Backend backend) implements PreparedWeight {
        @Override
        public QuantizedMatrix weight() { return inner.weight(); }

        @Override
        public void close() { inner.close(); }
    }

    /** Probes on first use and logs the result once (holder idiom: thread-safe, no lock). */
    private static final class Support {
        static final SimdSupport.Status STATUS = SimdSupport.probe();

        static {
            if (STATUS.supported()) {
                LOG.info("nvfp4 simd backend: {}, NVFP4 and MXFP4 kernels (other formats use the scalar reference)",
                        STATUS.detail());
            } else {
                LOG.info("nvfp4 simd backend unavailable: {}", STATUS.detail());
            }
        }
    }
}
