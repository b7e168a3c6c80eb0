package io.nvfp4.simd;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ElementType;
import io.nvfp4.quantize.Recipe;
import io.nvfp4.tensor.QuantizedMatrix;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static io.nvfp4.simd.Vec.BL;
import static io.nvfp4.simd.Vec.E2M1_BITS;
import static io.nvfp4.simd.Vec.I;
import static io.nvfp4.simd.Vec.L;
import static io.nvfp4.simd.Vec.LE;
import static io.nvfp4.simd.Vec.TWO_TABLES;
import static io.nvfp4.simd.Vec.WIDE;

/**
 * NVFP4 and MXFP4 rows dequantized with vectors, bit for bit the scalar dequantizer: each element is
 * {@code e2m1(code) * blockFactor}, the same two fp32 operands multiplied once. L code bytes (2L
 * codes) become two vectors: low and high nibbles are looked up separately, then interleaved back
 * into column order with one two-table permute each.
 */
final class SimdDequantizer {
    private static final int[] ZIP_LOW = new int[L];
    private static final int[] ZIP_HIGH = new int[L];
    private static final ThreadLocal<FactorTable> TABLE = ThreadLocal.withInitial(FactorTable::new);

    static {
        for (int i = 0; i < L; i++) {
            ZIP_LOW[i] = (i & 1) == 0 ? i / 2 : L + i / 2;           // columns 0 .. L-1: even ones are low nibbles
            ZIP_HIGH[i] = (i & 1) == 0 ? L / 2 + i / 2 : L + L / 2 + i / 2;
        }
    }

    private SimdDequantizer() {}

    static void dequantizeRow(QuantizedMatrix q, long row, float[] dst) {
        Objects.requireNonNull(q, "q");
        int columns = Math.toIntExact(q.columns());
        Objects.checkFromIndexSize(0, columns, dst.length);
        Objects.checkIndex(row, q.rows());
        float[] factors = TABLE.get().of(q);
        int blockSize = q.format().blockSize();
        MemorySegment codes = q.codes();
        long base = row * q.codeBytesPerRow();
        IntVector t0 = IntVector.fromArray(I, E2M1_BITS, 0);
        IntVector t1 = IntVector.fromArray(I, E2M1_BITS, L);
        IntVector zipLow = IntVector.fromArray(I, ZIP_LOW, 0);
        IntVector zipHigh = IntVector.fromArray(I, ZIP_HIGH, 0);
        int c = 0;
        for (; c + 2 * L <= columns; c += 2 * L) {
            IntVector v = (IntVector) ByteVector.fromMemorySegment(BL, codes, base + c / 2, LE)
                    .convertShape(VectorOperators.B2I, I, 0);
            IntVector high = v.lanewise(VectorOperators.LSHR, 4);
            IntVector even = WIDE ? v.selectFrom(t0) : TWO_TABLES ? v.selectFrom(t0, t1)
                    : v.selectFrom(t0).or(v.lanewise(VectorOperators.LSHL, 28).and(0x80000000));
            IntVector odd = WIDE ? high.selectFrom(t0) : TWO_TABLES ? high.selectFrom(t0, t1)
                    : high.selectFrom(t0).or(high.lanewise(VectorOperators.LSHL, 28).and(0x80000000));
            float f0 = factors[q.scaleCode(row, c / blockSize)];
            float f1 = factors[q.scaleCode(row, (c + L) / blockSize)];
            zipLow.selectFrom(even, odd).reinterpretAsFloats().mul(f0).intoArray(dst, c);
            zipHigh.selectFrom(even, odd).reinterpretAsFloats().mul(f1).intoArray(dst, c + L);
        }
        ElementType element = q.format().elementType();
        for (; c < columns; c++) {
            dst[c] = element.decode(q.code(row, c)) * factors[q.scaleCode(row, c / blockSize)];
        }
    }

    /** The 256 block factors of the last matrix kind seen on this thread (format, recipe, tensor scale). */
    private static final class FactorTable {
        private final float[] factors = new float[256];
        private BlockFormat format;
        private Recipe recipe;
        private int tensorScaleBits;

        float[] of(QuantizedMatrix q) {
            int bits = Float.floatToRawIntBits(q.tensorScale());
            if (q.format() != format || !q.recipe().equals(recipe) || bits != tensorScaleBits) {
                for (int code = 0; code < 256; code++) {
                    factors[code] = QuantizedMatrix.blockFactor(q.format(), q.recipe(), code, q.tensorScale());
                }
                format = q.format();
                recipe = q.recipe();
                tensorScaleBits = bits;
            }
            return factors;
        }
    }
}
