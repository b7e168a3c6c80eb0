package io.nvfp4.testkit;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.ComputePool;
import io.nvfp4.backend.PreparedWeight;
import io.nvfp4.backend.ScalarBackend;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Backends with one deliberate fault each, and the conformance suites that run them (nested, so that
 * surefire does not run them on its own; {@link BackendConformanceSelfTest} launches them).
 */
final class BrokenBackends {
    private BrokenBackends() {}

    /** Correct: the scalar reference behind a backend of its own, with its own prepared weights. */
    static class Delegating implements Backend {
        final ScalarBackend scalar = new ScalarBackend();

        @Override
        public String name() { return "delegating"; }

        @Override
        public int priority() { return -1; }

        @Override
        public boolean isSupported() { return true; }

        @Override
        public QuantizedMatrix quantize(Quantizer quantizer, FloatMatrix input) {
            return scalar.quantize(quantizer, input);
        }

        @Override
        public void dequantizeRow(QuantizedMatrix weight, long row, float[] dst) {
            scalar.dequantizeRow(weight, row, dst);
        }

        @Override
        public PreparedWeight prepare(QuantizedMatrix weight) {
            return new Prepared(weight, this, scalar.prepare(weight));
        }

        @Override
        public void matmul(PreparedWeight weight, FloatMatrix x, float[] y, ComputePool pool) {
            scalar.matmul(unwrap(weight, true).inner, x, y, pool);
        }

        Prepared unwrap(PreparedWeight weight, boolean checkOpen) {
            if (!(weight instanceof Prepared p) || p.backend != this) {
                throw new IllegalArgumentException("not this backend's weight: " + weight);
            }
            if (checkOpen && p.closed) {
                throw new IllegalStateException("closed");
            }
            return p;
        }
    }

    /** The delegating backend's prepared weight. */
    static final class Prepared implements PreparedWeight {
        final QuantizedMatrix weight;
        final Backend backend;
        final PreparedWeight inner;
        volatile boolean closed;

        Prepared(QuantizedMatrix weight, Backend backend, PreparedWeight inner) {
            this.weight = weight;
            this.backend = backend;
            this.inner = inner;
        }

        @Override
        public QuantizedMatrix weight() { return weight; }

        @Override
        public Backend backend() { return backend; }

        @Override
        public void close() { closed = true; }
    }

    /** Flips the low bit of the first code byte. */
    static final class FlipsACodeBit extends Delegating {
        @Override
        public QuantizedMatrix quantize(Quantizer quantizer, FloatMatrix input) {
            QuantizedMatrix q = scalar.quantize(quantizer, input);
            byte[] codes = q.codes().toArray(ValueLayout.JAVA_BYTE);
            codes[0] ^= 1;
            return QuantizedMatrix.wrap(q.format(), q.recipe(), q.rows(), q.columns(), MemorySegment.ofArray(codes),
                    q.scales(), q.scaleLayout(), q.tensorScale());
        }
    }

    /** Flushes subnormal results to zero, as a kernel with FTZ/DAZ arithmetic would. */
    static final class FlushesSubnormals extends Delegating {
        @Override
        public void dequantizeRow(QuantizedMatrix weight, long row, float[] dst) {
            scalar.dequantizeRow(weight, row, dst);
            for (int c = 0; c < weight.columns(); c++) {
                if (dst[c] != 0 && Math.abs(dst[c]) < Float.MIN_NORMAL) {
                    dst[c] = Math.copySign(0f, dst[c]);
                }
            }
        }
    }

    /** Errs by 2^-12 relative: beyond the fp32 bound whenever K is short. */
    static final class Sloppy extends Delegating {
        @Override
        public void matmul(PreparedWeight weight, FloatMatrix x, float[] y, ComputePool pool) {
            super.matmul(weight, x, y, pool);
            for (int i = 0; i < x.rows() * weight.weight().rows(); i++) {
                y[i] *= 1 + 0x1p-12f;
            }
        }
    }

    /** Sums K in one chunk per pool thread: the result depends on the pool's size. */
    static final class PoolDependent extends Delegating {
        @Override
        public void matmul(PreparedWeight weight, FloatMatrix x, float[] y, ComputePool pool) {
            QuantizedMatrix w = unwrap(weight, true).weight;
            int k = Math.toIntExact(w.columns());
            int n = Math.toIntExact(w.rows());
            float[] xs = new float[k];
            float[] ws = new float[k];
            int chunk = Math.ceilDiv(k, pool.threads());
            for (int i = 0; i < x.rows(); i++) {
                x.readRow(i, 0, xs, k);
                for (int j = 0; j < n; j++) {
                    Dequantizer.dequantizeRow(w, j, ws);
                    float total = 0;
                    for (int from = 0; from < k; from += chunk) {
                        float part = 0;
                        for (int c = from; c < Math.min(k, from + chunk); c++) {
                            part = Math.fma(xs[c], ws[c], part);
                        }
                        total += part;
                    }
                    y[i * n + j] = total;
                }
            }
        }
    }

    /** Computes into one buffer shared by all calls: concurrent calls overwrite each other. */
    static final class SharesScratch extends Delegating {
        private float[] scratch = new float[0];

        @Override
        public void matmul(PreparedWeight weight, FloatMatrix x, float[] y, ComputePool pool) {
            int size = Math.toIntExact(x.rows() * weight.weight().rows());
            if (scratch.length < size) {
                scratch = new float[size];
            }
            float[] buffer = scratch;
            super.matmul(weight, x, buffer, pool);
            try {
                Thread.sleep(2); // lets the other threads write their results into the same buffer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.arraycopy(scratch, 0, y, 0, size);
        }
    }

    /** Goes on using a closed weight. */
    static final class IgnoresClose extends Delegating {
        @Override
        public void matmul(PreparedWeight weight, FloatMatrix x, float[] y, ComputePool pool) {
            scalar.matmul(unwrap(weight, false).inner, x, y, pool);
        }
    }

    /** The suite on the correct delegating backend. */
    static final class DelegatingSuite extends BackendConformance {
        @Override
        protected Backend backend() { return new Delegating(); }
    }

    static final class FlipsACodeBitSuite extends BackendConformance {
        @Override
        protected Backend backend() { return new FlipsACodeBit(); }
    }

    static final class FlushesSubnormalsSuite extends BackendConformance {
        @Override
        protected Backend backend() { return new FlushesSubnormals(); }
    }

    static final class SloppySuite extends BackendConformance {
        @Override
        protected Backend backend() { return new Sloppy(); }
    }

    static final class PoolDependentSuite extends BackendConformance {
        @Override
        protected Backend backend() { return new PoolDependent(); }
    }

    static final class SharesScratchSuite extends BackendConformance {
        @Override
        protected Backend backend() { return new SharesScratch(); }
    }

    static final class IgnoresCloseSuite extends BackendConformance {
        @Override
        protected Backend backend() { return new IgnoresClose(); }
    }
}
