package io.nvfp4.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link E8M0}, {@link BF16} and {@link FP16} against reference conversions written here from
 * their definitions (spec 1.3; IEEE 754 round-to-nearest-even for the two 16-bit floats).
 */
class ScaleAndHalfCodecTest {

    // ------------------------------------------------------------------------------------------
    // E8M0
    // ------------------------------------------------------------------------------------------

    @Test
    void e8m0DecodesToExactPowersOfTwo() {
        float[] table = E8M0.decodeTable();
        assertThat(table).hasSize(256);
        for (int code = 0; code <= 254; code++) {
            // 2^(code-127) as fp32 bits: the biased exponent field is the code itself, except that
            // code 0 (2^-127) is below fp32's normal range: the subnormal with mantissa MSB set.
            int expectedBits = code == 0 ? 0x00400000 : code << 23;
            assertThat(Float.floatToRawIntBits(E8M0.decode(code))).as("E8M0 decode(%d)", code).isEqualTo(expectedBits);
            assertThat((double) E8M0.decode(code)).as("E8M0 decode(%d) = 2^%d", code, code - 127)
                    .isEqualTo(Math.pow(2, code - 127)); // exact for integer powers of two
            assertThat(Float.floatToRawIntBits(table[code])).as("E8M0 decodeTable()[%d]", code).isEqualTo(expectedBits);
        }
        assertThat(E8M0.decode(0xFF)).isNaN();
        assertThat(table[0xFF]).isNaN();
    }

    @Test
    void e8m0FromExponentClampsToRepresentableRange() {
        for (int e = -1000; e <= 1000; e++) {
            int expected = Math.min(Math.max(e, -127), 127) + 127;
            assertThat(E8M0.fromExponent(e)).as("fromExponent(%d)", e).isEqualTo(expected);
        }
        assertThat(E8M0.fromExponent(Integer.MIN_VALUE)).isZero();
        assertThat(E8M0.fromExponent(Integer.MAX_VALUE)).isEqualTo(254);
        for (int e = -127; e <= 127; e++) {
            assertThat((double) E8M0.decode(E8M0.fromExponent(e))).isEqualTo(Math.pow(2, e));
        }
    }

    @Test
    void e8m0ExponentRoundTripsAndRejectsNan() {
        for (int code = 0; code <= 254; code++) {
            assertThat(E8M0.exponent(code)).as("exponent(%d)", code).isEqualTo(code - 127);
            assertThat(E8M0.fromExponent(E8M0.exponent(code))).as("fromExponent(exponent(%d))", code).isEqualTo(code);
        }
        assertThatThrownBy(() -> E8M0.exponent(0xFF)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------------
    // Shared sweep helpers
    // ------------------------------------------------------------------------------------------

    @FunctionalInterface
    interface FloatAction {
        void accept(float x);
    }

    /**
     * Every {@code stride}-th of the 2^32 float bit patterns, NaNs skipped. The low bits inside
     * each stride vary pseudo-randomly with the index so that the bits the 16-bit formats discard
     * are not always zero.
     */
    static long strideSweep(int stride, FloatAction action) {
        int shift = Integer.numberOfTrailingZeros(stride);
        long count = 0;
        for (long i = 0; i < (1L << 32) / stride; i++) {
            int offset = (int) ((i * 0x9E3779B97F4A7C15L) >>> (64 - shift));
            float x = Float.intBitsToFloat((int) (i * stride) | offset);
            if (!Float.isNaN(x)) {
                action.accept(x);
                count++;
            }
        }
        return count;
    }

    /** {@code x}, its float neighbours, and the negatives of all three. */
    static void withNeighboursBothSigns(float x, FloatAction action) {
        for (float v : new float[] {x, Math.nextUp(x), Math.nextDown(x)}) {
            action.accept(v);
            action.accept(-v);
        }
    }

    /** Counts mismatches and keeps the first few, with input bits and expected/actual codes. */
    static final class Mismatches {
        private final String what;
        private final List<String> examples = new ArrayList<>();
        private long checked;
        private long failed;

        Mismatches(String what) {
            this.what = what;
        }

        void check(float x, int expected, int actual) {
            checked++;
            if (expected != actual) {
                failed++;
                if (examples.size() < 10) {
                    examples.add(String.format("x=%s (bits 0x%08X): expected 0x%04X, actual 0x%04X",
                            x, Float.floatToRawIntBits(x), expected, actual));
                }
            }
        }

        long checked() {
            return checked;
        }

        void assertNone() {
            assertThat(failed)
                    .as(() -> String.format("%s: %d of %d inputs differ from the oracle, first ones:%n  %s",
                            what, failed, checked, String.join("\n  ", examples)))
                    .isZero();
        }
    }

    private static final float[] NANS = {
        Float.NaN,
        Float.intBitsToFloat(0x7F800001), // signalling, payload only in the bits bf16 drops
        Float.intBitsToFloat(0x7F80FFFF), // ditto: truncating would give +Inf
        Float.intBitsToFloat(0xFF800001),
        Float.intBitsToFloat(0x7FA00000), // signalling, payload kept by bf16
        Float.intBitsToFloat(0xFFC00000),
        Float.intBitsToFloat(0xFFFFFFFF),
    };

    // ------------------------------------------------------------------------------------------
    // BF16
    // ------------------------------------------------------------------------------------------

    /**
     * bf16 nearest-even, from the definition: the two candidates are the truncation (the upper 16
     * bits) and the next bf16 magnitude above it; the one whose value is closer wins, ties go to
     * the even pattern. Past the largest finite bf16 the next value is +Inf, which IEEE rounding
     * treats as 2^128 for this comparison. The differences are exact in double: x and both
     * candidates lie within two adjacent binades, so each difference needs at most ~25 bits.
     */
    static int bf16Oracle(float x) {
        int bits = Float.floatToRawIntBits(x);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7FFFFFFF;
        int down = magnitude >>> 16;
        if ((magnitude & 0xFFFF) == 0) {
            return sign | down; // exact (including ±0 and ±Inf)
        }
        int up = down + 1;
        double a = Float.intBitsToFloat(magnitude);
        double lo = Float.intBitsToFloat(down << 16);
        double hi = down == 0x7F7F ? 0x1p128 : Float.intBitsToFloat(up << 16);
        double dLo = a - lo;
        double dHi = hi - a;
        int rounded = dLo < dHi ? down : dLo > dHi ? up : (down & 1) == 0 ? down : up;
        return sign | rounded;
    }

    @Test
    void bf16FromFloatMatchesOracle() {
        Mismatches mismatches = new Mismatches("BF16.fromFloat");
        FloatAction check = x -> mismatches.check(x, bf16Oracle(x), BF16.fromFloat(x) & 0xFFFF);
        strideSweep(256, check);
        // Halfway between each pair of adjacent finite bf16 magnitudes (and between max and 2^128,
        // which must round to Inf), with float neighbours, both signs.
        for (int down = 0; down <= 0x7F7F; down++) {
            withNeighboursBothSigns(Float.intBitsToFloat((down << 16) | 0x8000), check);
        }
        for (float x : new float[] {0f, -0f, Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            withNeighboursBothSigns(x, check);
        }
        mismatches.assertNone();
        assertThat(mismatches.checked()).isGreaterThanOrEqualTo(1L << 24);
    }

    @Test
    void bf16ByExample() {
        assertThat(BF16.fromFloat(1f)).isEqualTo((short) 0x3F80);
        assertThat(BF16.fromFloat(Float.intBitsToFloat(0x3F808000))).as("tie to even: down").isEqualTo((short) 0x3F80);
        assertThat(BF16.fromFloat(Float.intBitsToFloat(0x3F818000))).as("tie to even: up").isEqualTo((short) 0x3F82);
        assertThat(BF16.fromFloat(Float.intBitsToFloat(0x7F7F8000))).as("max/2^128 midpoint -> Inf").isEqualTo((short) 0x7F80);
        assertThat(BF16.fromFloat(Float.intBitsToFloat(0x7F7F7FFF))).as("just below it -> max").isEqualTo((short) 0x7F7F);
        assertThat(BF16.fromFloat(-Float.MAX_VALUE)).isEqualTo((short) 0xFF80);
        assertThat(BF16.fromFloat(-0f)).isEqualTo((short) 0x8000);
        assertThat(BF16.fromFloat(-Float.MIN_VALUE)).as("tiny negative -> -0").isEqualTo((short) 0x8000);
        assertThat(BF16.round(1.00390625f)).as("1 + 2^-8 is a tie, to even").isEqualTo(1f);
        assertThat(BF16.round(1.01171875f)).isEqualTo(1.015625f);
    }

    @Test
    void bf16NanStaysQuietNanWithItsSign() {
        for (float nan : NANS) {
            int bits = Float.floatToRawIntBits(nan);
            int code = BF16.fromFloat(nan) & 0xFFFF;
            String what = String.format("BF16.fromFloat(NaN bits 0x%08X) = 0x%04X", bits, code);
            assertThat(BF16.toFloat((short) code)).as(what).isNaN();
            assertThat(code & 0x0040).as(what + " quiet bit").isNotZero();
            assertThat(code & 0x8000).as(what + " sign").isEqualTo((bits >>> 16) & 0x8000);
        }
    }

    @Test
    void bf16EveryPatternRoundTrips() {
        for (int code = 0; code < 0x10000; code++) {
            short b = (short) code;
            float f = BF16.toFloat(b);
            String what = String.format("bf16 0x%04X", code);
            if (isBf16NaN(code)) {
                assertThat(f).as(what).isNaN();
                assertThat(BF16.toFloat(BF16.fromFloat(f))).as(what + " back").isNaN();
            } else {
                assertThat(Float.floatToRawIntBits(f)).as(what + " toFloat").isEqualTo(code << 16);
                assertThat(BF16.fromFloat(f) & 0xFFFF).as(what + " fromFloat(toFloat)").isEqualTo(code);
                assertThat(Float.floatToRawIntBits(BF16.round(f))).as(what + " round").isEqualTo(code << 16);
            }
        }
    }

    private static boolean isBf16NaN(int code) {
        return (code & 0x7F80) == 0x7F80 && (code & 0x007F) != 0;
    }

    // ------------------------------------------------------------------------------------------
    // FP16
    // ------------------------------------------------------------------------------------------

    /** binary16 from its bit fields: bias 15, 10 mantissa bits, exponent 31 = Inf/NaN. */
    static double fp16RefDecode(int code) {
        boolean negative = (code & 0x8000) != 0;
        int e = (code >> 10) & 0x1F;
        int m = code & 0x3FF;
        double magnitude;
        if (e == 0x1F) {
            magnitude = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (e == 0) {
            magnitude = m * 0x1p-24; // subnormal: m * 2^(1 - 15 - 10)
        } else {
            magnitude = (1024 + m) * Math.pow(2, e - 25);
        }
        return negative ? -magnitude : magnitude;
    }

    /**
     * Sorted finite binary16 magnitudes (codes 0x0000..0x7BFF) followed by 2^16 standing in for
     * +Inf (code 0x7C00): IEEE round-to-nearest treats the overflow threshold as if the exponent
     * range continued, so 65520 (the midpoint of 65504 and 2^16) and above round to Inf.
     */
    private static final double[] FP16_MAGNITUDES = new double[0x7C01];

    static {
        for (int code = 0; code < 0x7C00; code++) {
            FP16_MAGNITUDES[code] = fp16RefDecode(code);
        }
        FP16_MAGNITUDES[0x7C00] = 0x1p16;
    }

    /**
     * Nearest-even binary16 by search: find the neighbours of |x| among all magnitudes and compare
     * |x| with their midpoint, which is exact in double (both have 11 significant bits). The code
     * of the magnitude at index i is i itself, so "even" is just an even index.
     */
    static int fp16Oracle(float x) {
        int sign = (Float.floatToRawIntBits(x) >>> 16) & 0x8000; // IEEE: the sign is always kept
        double a = Math.abs((double) x);
        int last = FP16_MAGNITUDES.length - 1;
        int found = Arrays.binarySearch(FP16_MAGNITUDES, a);
        int i = found >= 0 ? found : -found - 2; // largest magnitude <= a
        int code;
        if (i >= last || FP16_MAGNITUDES[i] == a) {
            code = Math.min(i, last); // exact, or beyond 2^16: Inf
        } else {
            double midpoint = (FP16_MAGNITUDES[i] + FP16_MAGNITUDES[i + 1]) / 2;
            code = a < midpoint ? i : a > midpoint ? i + 1 : (i & 1) == 0 ? i : i + 1;
        }
        return sign | code;
    }

    @Test
    void fp16EveryPatternRoundTrips() {
        for (int code = 0; code < 0x10000; code++) {
            float f = FP16.toFloat((short) code);
            double expected = fp16RefDecode(code);
            String what = String.format("fp16 0x%04X", code);
            if (Double.isNaN(expected)) {
                assertThat(f).as(what).isNaN();
                assertThat(FP16.toFloat(FP16.fromFloat(f))).as(what + " back").isNaN();
            } else {
                assertThat(Float.floatToRawIntBits(f)).as(what + " toFloat")
                        .isEqualTo(Float.floatToRawIntBits((float) expected));
                assertThat(FP16.fromFloat(f) & 0xFFFF).as(what + " fromFloat(toFloat)").isEqualTo(code);
            }
        }
    }

    @Test
    void fp16FromFloatMatchesOracle() {
        Mismatches mismatches = new Mismatches("FP16.fromFloat");
        FloatAction check = x -> mismatches.check(x, fp16Oracle(x), FP16.fromFloat(x) & 0xFFFF);
        strideSweep(256, check);
        // Every midpoint between adjacent magnitudes (65520 included) with its neighbours.
        for (int i = 0; i + 1 < FP16_MAGNITUDES.length; i++) {
            withNeighboursBothSigns((float) ((FP16_MAGNITUDES[i] + FP16_MAGNITUDES[i + 1]) / 2), check);
        }
        for (float x : new float[] {0f, Float.MIN_VALUE, 0x1p-25f, 0x1p-24f, 65504f, 0x1p16f, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY}) {
            withNeighboursBothSigns(x, check);
        }
        mismatches.assertNone();
        assertThat(mismatches.checked()).isGreaterThanOrEqualTo(1L << 24);
    }

    @Test
    void fp16NanStaysNan() {
        for (float nan : NANS) {
            assertThat(FP16.toFloat(FP16.fromFloat(nan)))
                    .as("FP16 of NaN bits 0x%08X", Float.floatToRawIntBits(nan)).isNaN();
        }
        assertThat(FP16.fromFloat(65520f)).as("overflow midpoint -> Inf").isEqualTo((short) 0x7C00);
        assertThat(FP16.fromFloat(Math.nextDown(65520f))).isEqualTo((short) 0x7BFF);
    }
}
