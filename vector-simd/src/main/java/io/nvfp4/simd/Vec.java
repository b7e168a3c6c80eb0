package io.nvfp4.simd;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteOrder;

/**
 * The vector shapes every kernel uses, as {@code static final} constants so that C2 folds them
 * (simd-lessons.md pitfall 4). Loaded only after {@link SimdSupport} has accepted the JVM.
 *
 * <p>{@link #L} is the lane count of a float vector, 16 at 512 bits and 8 at 256 bits. The packed
 * weight layout, the GEMV row groups and the GEMM panels are all made of {@code L} rows.
 */
final class Vec {
    /** The vector width in bits: 512 or 256. */
    static final int BITS = VectorProbe.chosenBits();
    static final VectorShape SHAPE = VectorShape.forBitSize(BITS);
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.withShape(SHAPE);
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.withShape(SHAPE);
    /** Doubles of the same width: half of {@link #F}'s lanes each (the error sums of the scale rules). */
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED.withShape(SHAPE);
    /** L bytes: one scale byte per lane, widened to {@link #I}. */
    static final VectorSpecies<Byte> BL = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(BITS / 4));
    /** 16 bytes: the codes of one 16-element NVFP4 block before packing. */
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;
    /** Float lanes. */
    static final int L = F.length();
    /** Whether a float vector holds a whole 16-entry E2M1 table (512 bits); else two vectors do. */
    static final boolean WIDE = L == 16;
    /**
     * With 8 lanes: whether a two-table permute (AVX-512VL {@code vpermi2d}) decodes a nibble in one
     * instruction. AVX2 has none (C2 would emulate it slowly), so there a nibble is looked up in the
     * 8 magnitudes and its sign bit is moved in: three more operations, none of them emulated.
     */
    static final boolean TWO_TABLES = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** E2M1 values by code, as fp32 bit patterns (the table of one {@code selectFrom}). */
    static final int[] E2M1_BITS = new int[32];

    static {
        float[] magnitudes = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f};
        for (int code = 0; code < 16; code++) {
            float v = code < 8 ? magnitudes[code] : -magnitudes[code - 8];
            E2M1_BITS[code] = Float.floatToRawIntBits(v);
            E2M1_BITS[code + 16] = E2M1_BITS[code]; // a second copy: two-vector lookups wrap at 32
        }
    }

    private Vec() {}
}
