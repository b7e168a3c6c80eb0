package io.nvfp4.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The Vector API checks, in a class of their own so that {@link SimdSupport} links no Vector API
 * type before its other checks have passed. It decides the vector width the kernels use
 * ({@link Vec#BITS} reads the same rule).
 */
final class VectorProbe {
    private VectorProbe() {}

    /** The width the kernels use: the preferred float width, or {@code nvfp4.simd.bits} if narrower. */
    static int chosenBits() {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        Integer forced = Integer.getInteger(SimdSupport.BITS_PROPERTY);
        if (forced == null) {
            return Math.min(preferred, 512);
        }
        if (forced != 256 && forced != 512) {
            throw new IllegalArgumentException("-D" + SimdSupport.BITS_PROPERTY + " must be 256 or 512, got " + forced);
        }
        return Math.min(forced, preferred);
    }

    static SimdSupport.Status check() {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        if (preferred < 256) {
            return new SimdSupport.Status(false, "preferred float vectors are " + preferred
                    + " bits; the kernels need 256 or more");
        }
        int bits;
        try {
            bits = chosenBits();
        } catch (IllegalArgumentException e) {
            return new SimdSupport.Status(false, e.getMessage());
        }
        // A sanity operation before trusting the intrinsics (Lucene does the same, JDK-8309727).
        int[] table = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        IntVector v = IntVector.fromArray(IntVector.SPECIES_256, table, 0);
        int sum = v.selectFrom(v).add(v).reduceLanes(VectorOperators.ADD);
        if (sum != 56) {
            return new SimdSupport.Status(false, "a Vector API sanity check computed " + sum + " instead of 56");
        }
        return new SimdSupport.Status(true, bits + "-bit vectors (" + bits / 32 + " float lanes"
                + (bits < preferred ? ", narrowed from " + preferred + " by -D" + SimdSupport.BITS_PROPERTY : "")
                + "), FMA");
    }
}
