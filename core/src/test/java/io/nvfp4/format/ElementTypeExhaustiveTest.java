package io.nvfp4.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Exhaustive and sweep tests of {@link ElementType} against a reference model written here from
 * the spec (sections 1, 1.4, 4.3), sharing no code with the implementation:
 *
 * <ul>
 *   <li>{@link #refDecode} decodes a code from its bit fields (spec table 1.4);
 *   <li>{@link Oracle} rounds by searching the sorted list of representable magnitudes and
 *       comparing against the exact midpoint of the two neighbours, so it never scales, never
 *       rounds an integer and never rebuilds a code from a value, unlike the implementation;
 *   <li>{@link #oracleAgreesWithExactBruteForce} checks that oracle once more against a linear scan
 *       over every code with exact {@link BigDecimal} distances.
 * </ul>
 *
 * <p>The sweeps are plain loops that count mismatches and report the first few, because per-input
 * AssertJ assertions would dominate the runtime of ~2^24 inputs per type.
 */
class ElementTypeExhaustiveTest {

    /** Each type's EVEN sweep must see at least this many inputs (issue requirement). */
    private static final long MIN_EVEN_INPUTS = 1L << 24;

    // ------------------------------------------------------------------------------------------
    // Reference model
    // ------------------------------------------------------------------------------------------

    /** Bit layout from spec table 1.4, written out here rather than read from the enum. */
    private record Layout(int bits, int ebits, int mbits, int bias) {}

    private static Layout layout(ElementType type) {
        return switch (type) {
            case E2M1 -> new Layout(4, 2, 1, 1);
            case E2M3 -> new Layout(6, 2, 3, 1);
            case E3M2 -> new Layout(6, 3, 2, 3);
            case E4M3 -> new Layout(8, 4, 3, 7);
            case E5M2 -> new Layout(8, 5, 2, 15);
            case INT8 -> new Layout(8, 0, 0, 0); // not a minifloat; see refDecode
        };
    }

    /** The value of {@code code} from its bit fields, in double (every value is exact there). */
    static double refDecode(ElementType type, int code) {
        if (type == ElementType.INT8) {
            int k = (code ^ 0x80) - 0x80; // sign-extend the byte: two's complement
            return k / 64.0;
        }
        Layout l = layout(type);
        boolean negative = (code >> (l.bits() - 1) & 1) == 1;
        int e = (code >> l.mbits()) & ((1 << l.ebits()) - 1);
        int m = code & ((1 << l.mbits()) - 1);
        int eMax = (1 << l.ebits()) - 1;
        double magnitude;
        if (type == ElementType.E4M3 && e == eMax && m == 7) {
            magnitude = Double.NaN; // E4M3FN: only S.1111.111 is special
        } else if (type == ElementType.E5M2 && e == eMax) {
            magnitude = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN; // IEEE-style
        } else {
            // value = significand * 2^(exponent - bias - mbits); subnormals use exponent 1, no hidden bit
            int significand = e == 0 ? m : (1 << l.mbits()) + m;
            int exponent = Math.max(e, 1) - l.bias() - l.mbits();
            magnitude = significand * Math.pow(2, exponent); // Math.pow of integers is exact here
        }
        return negative ? -magnitude : magnitude;
    }

    /** Number of codes of a type. */
    private static int codeCount(ElementType type) {
        return 1 << layout(type).bits();
    }

    /** Nearest-value encoder built from the sorted list of representable magnitudes. */
    static final class Oracle {
        final ElementType type;
        /** Finite non-negative values, strictly ascending. */
        final double[] magnitudes;
        /** The (sign-clear) code of each entry of {@link #magnitudes}. */
        final int[] codes;

        Oracle(ElementType type) {
            this.type = type;
            // INT8 magnitudes are k/64 for k = 0..127, which are exactly the codes 0x00..0x7F;
            // for minifloats the codes with the sign bit clear.
            int positiveCodes = codeCount(type) / 2;
            List<double[]> entries = new ArrayList<>();
            for (int code = 0; code < positiveCodes; code++) {
                double v = refDecode(type, code);
                if (Double.isFinite(v)) {
                    entries.add(new double[] {v, code});
                }
            }
            entries.sort((a, b) -> Double.compare(a[0], b[0]));
            magnitudes = entries.stream().mapToDouble(e -> e[0]).toArray();
            codes = entries.stream().mapToInt(e -> (int) e[1]).toArray();
            for (int i = 1; i < magnitudes.length; i++) {
                assertThat(magnitudes[i]).as("%s grid strictly ascending", type).isGreaterThan(magnitudes[i - 1]);
            }
        }

        double maxMagnitude() {
            return magnitudes[magnitudes.length - 1];
        }

        /**
         * The sign-clear code nearest to {@code a >= 0}. Nearest is decided by comparing {@code a}
         * with the midpoint of its two grid neighbours: both neighbours are floats with at most a
         * handful of significant bits, so their sum and half are exact in double, and {@code a}
         * (a float) is exact too: no rounding happens anywhere in this decision. Anything above
         * the largest finite magnitude (±Inf included) has that as its nearest value: saturation.
         */
        int magnitudeCode(double a, Ties ties) {
            int i = floorIndex(a);
            if (i == magnitudes.length - 1 || magnitudes[i] == a) {
                return codes[i];
            }
            int below = codes[i];
            int above = codes[i + 1];
            double midpoint = (magnitudes[i] + magnitudes[i + 1]) / 2;
            if (a < midpoint) {
                return below;
            }
            if (a > midpoint) {
                return above;
            }
            return breakTie(below, above, ties);
        }

        /** The largest index whose magnitude is {@code <= a} (index 0 holds zero). */
        private int floorIndex(double a) {
            int found = Arrays.binarySearch(magnitudes, a);
            return found >= 0 ? found : -found - 2;
        }

        /** Full code of {@code x}: nearest magnitude, then the sign rule of spec 2.5 / 4.3. */
        int encode(float x, Ties ties, ZeroSign zeroSign) {
            int magnitude = magnitudeCode(Math.abs((double) x), ties);
            boolean negative = magnitude != 0 ? x < 0 : switch (zeroSign) {
                case SIGN_BIT -> (Float.floatToRawIntBits(x) >>> 31) == 1;
                case NEGATIVE -> x < 0;
                case POSITIVE -> false;
            };
            if (!negative) {
                return magnitude;
            }
            if (type == ElementType.INT8) {
                return (-magnitude) & 0xFF; // two's complement; -0 is 0x00 since INT8 has one zero
            }
            return magnitude | (codeCount(type) >> 1);
        }
    }

    /** Ties: both neighbours are at the same distance; the rule picks one (spec 4.3 table). */
    private static int breakTie(int below, int above, Ties ties) {
        return switch (ties) {
            // For the minifloats the mantissa LSB is the code's LSB; for INT8 the code is k itself.
            case EVEN -> (below & 1) == 0 ? below : above;
            case AWAY_FROM_ZERO -> above;
            case TOWARD_ZERO -> below;
        };
    }

    private static final Map<ElementType, Oracle> ORACLES = new EnumMap<>(ElementType.class);

    static {
        for (ElementType type : ElementType.values()) {
            ORACLES.put(type, new Oracle(type));
        }
    }

    // ------------------------------------------------------------------------------------------
    // Inputs
    // ------------------------------------------------------------------------------------------

    @FunctionalInterface
    interface FloatAction {
        void accept(float x);
    }

    /**
     * Every {@code stride}-th float bit pattern over all 2^32 (NaNs skipped). The low bits within
     * each stride are a fixed pseudo-random function of the index rather than always zero, so the
     * sweep also exercises inputs whose low mantissa bits are set.
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

    /**
     * About {@code 2^20} evenly spaced float patterns per sign covering the range where the type
     * actually rounds: from a quarter of its smallest subnormal to four times its max.
     */
    static long denseSweep(Oracle oracle, FloatAction action) {
        int from = Float.floatToRawIntBits((float) (oracle.magnitudes[1] / 4));
        int to = Float.floatToRawIntBits((float) (oracle.maxMagnitude() * 4));
        int stride = Math.max(1, (to - from) >> 20);
        long count = 0;
        for (int bits = from; bits <= to; bits += stride) {
            float x = Float.intBitsToFloat(bits);
            action.accept(x);
            action.accept(-x);
            count += 2;
        }
        return count;
    }

    /**
     * The inputs where rounding decisions happen, both signs: every representable magnitude, every
     * midpoint between adjacent magnitudes, each with its float neighbours; the midpoint between
     * max and the next grid point the type would have (e.g. 464 for E4M3), values far beyond
     * max, ±Inf, ±0, the fp32 subnormal and normal extremes.
     */
    static float[] edgeInputs(Oracle oracle) {
        double[] mags = oracle.magnitudes;
        List<Float> points = new ArrayList<>();
        for (int i = 0; i < mags.length; i++) {
            points.add((float) mags[i]);
            if (i + 1 < mags.length) {
                points.add((float) ((mags[i] + mags[i + 1]) / 2)); // exact: few significant bits
            }
        }
        double max = oracle.maxMagnitude();
        double gap = max - mags[mags.length - 2]; // grid spacing in max's binade
        points.add((float) (max + gap / 2)); // E4M3 464, E5M2 61440, E2M1 7, INT8 255/128
        points.add((float) (max + gap));
        points.add((float) (2 * max));
        points.add((float) (mags[1] / 4)); // rounds to zero under every rule
        points.add(Float.MIN_VALUE);
        points.add(Float.MIN_NORMAL);
        points.add(Float.MAX_VALUE);

        List<Float> inputs = new ArrayList<>();
        for (float p : points) {
            for (float v : new float[] {p, Math.nextUp(p), Math.nextDown(p)}) {
                inputs.add(v);
                inputs.add(-v);
            }
        }
        inputs.add(Float.POSITIVE_INFINITY);
        inputs.add(Float.NEGATIVE_INFINITY);
        inputs.add(0f);
        inputs.add(-0f);
        float[] result = new float[inputs.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = inputs.get(i);
        }
        return result;
    }

    /** Counts mismatches and keeps the first few, with input bits and expected/actual codes. */
    static final class Mismatches {
        private static final int EXAMPLES = 10;
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
                if (examples.size() < EXAMPLES) {
                    examples.add(String.format("x=%s (bits 0x%08X): expected 0x%02X, actual 0x%02X",
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

    // ------------------------------------------------------------------------------------------
    // Decode
    // ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(ElementType.class)
    void decodeMatchesBitFieldDecoderForEveryCode(ElementType type) {
        float[] table = type.decodeTable();
        assertThat(table).hasSize(codeCount(type));
        for (int code = 0; code < codeCount(type); code++) {
            float expected = (float) refDecode(type, code); // exact cast: few significant bits
            // floatToIntBits: canonical NaN, and -0.0 differs from +0.0
            assertThat(Float.floatToIntBits(type.decode(code)))
                    .as("%s decode(0x%02X): expected %s, actual %s", type, code, expected, type.decode(code))
                    .isEqualTo(Float.floatToIntBits(expected));
            assertThat(Float.floatToIntBits(table[code])).as("%s decodeTable()[0x%02X]", type, code)
                    .isEqualTo(Float.floatToIntBits(expected));
        }
    }

    @Test
    void decodeTableIsAFreshCopy() {
        float[] table = ElementType.E4M3.decodeTable();
        table[0x7E] = 0;
        assertThat(ElementType.E4M3.decode(0x7E)).isEqualTo(448f);
        assertThat(ElementType.E4M3.decodeTable()[0x7E]).isEqualTo(448f);
    }

    @Test
    void handPickedValuesFromTheSpec() {
        // Spec 1.1: the 16 E2M1 values, positive codes then the sign-bit-set ones.
        float[] e2m1 = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f};
        for (int code = 0; code < 16; code++) {
            assertThat(Float.floatToIntBits(ElementType.E2M1.decode(code))).as("E2M1 0x%X", code)
                    .isEqualTo(Float.floatToIntBits(e2m1[code]));
        }
        // Spec 1.2: E4M3
        assertThat(ElementType.E4M3.decode(0x7E)).isEqualTo(448f);
        assertThat(ElementType.E4M3.decode(0xFE)).isEqualTo(-448f);
        assertThat(ElementType.E4M3.decode(0x08)).isEqualTo(0x1p-6f); // min normal
        assertThat(ElementType.E4M3.decode(0x07)).isEqualTo(7 * 0x1p-9f); // max subnormal
        assertThat(ElementType.E4M3.decode(0x01)).isEqualTo(0x1p-9f); // min subnormal
        assertThat(ElementType.E4M3.decode(0x38)).isEqualTo(1f);
        // E5M2
        assertThat(ElementType.E5M2.decode(0x7B)).isEqualTo(57344f);
        assertThat(ElementType.E5M2.decode(0x3C)).isEqualTo(1f);
        assertThat(ElementType.E5M2.decode(0x04)).isEqualTo(0x1p-14f);
        assertThat(ElementType.E5M2.decode(0x01)).isEqualTo(0x1p-16f);
        // FP6
        assertThat(ElementType.E2M3.decode(0x1F)).isEqualTo(7.5f);
        assertThat(ElementType.E2M3.decode(0x01)).isEqualTo(0.125f);
        assertThat(ElementType.E2M3.decode(0x3F)).isEqualTo(-7.5f);
        assertThat(ElementType.E3M2.decode(0x1F)).isEqualTo(28f);
        assertThat(ElementType.E3M2.decode(0x01)).isEqualTo(0.0625f);
        assertThat(ElementType.E3M2.decode(0x3F)).isEqualTo(-28f);
        // MXINT8: two's complement k/64
        assertThat(ElementType.INT8.decode(0x7F)).isEqualTo(127f / 64);
        assertThat(ElementType.INT8.decode(0x81)).isEqualTo(-127f / 64);
        assertThat(ElementType.INT8.decode(0x80)).isEqualTo(-2f);
        assertThat(ElementType.INT8.decode(0xFF)).isEqualTo(-1f / 64);
        assertThat(ElementType.INT8.decode(0x40)).isEqualTo(1f);
    }

    @Test
    void maxNormalAndEmaxMatchSpecTable() {
        // Spec table 1.4: max normal, its code, emax_elem.
        record Row(ElementType type, float max, int code, int emax) {}
        List<Row> rows = List.of(
                new Row(ElementType.E2M1, 6f, 0x7, 2),
                new Row(ElementType.E2M3, 7.5f, 0x1F, 2),
                new Row(ElementType.E3M2, 28f, 0x1F, 4),
                new Row(ElementType.E4M3, 448f, 0x7E, 8),
                new Row(ElementType.E5M2, 57344f, 0x7B, 15),
                new Row(ElementType.INT8, 127f / 64, 0x7F, 0));
        for (Row row : rows) {
            assertThat(row.type().maxNormal()).as("%s maxNormal", row.type()).isEqualTo(row.max());
            assertThat(row.type().maxNormalCode()).as("%s maxNormalCode", row.type()).isEqualTo(row.code());
            assertThat(row.type().emax()).as("%s emax", row.type()).isEqualTo(row.emax());
        }
    }

    @Test
    void specialCodes() {
        assertThat(codesWhere(ElementType.E4M3, Float::isNaN)).containsExactly(0x7F, 0xFF);
        assertThat(codesWhere(ElementType.E4M3, Float::isInfinite)).isEmpty();
        assertThat(codesWhere(ElementType.E5M2, Float::isNaN))
                .containsExactly(0x7D, 0x7E, 0x7F, 0xFD, 0xFE, 0xFF);
        assertThat(codesWhere(ElementType.E5M2, Float::isInfinite)).containsExactly(0x7C, 0xFC);
        assertThat(ElementType.E5M2.decode(0x7C)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(ElementType.E5M2.decode(0xFC)).isEqualTo(Float.NEGATIVE_INFINITY);
        for (ElementType type : List.of(ElementType.E2M1, ElementType.E2M3, ElementType.E3M2, ElementType.INT8)) {
            assertThat(codesWhere(type, v -> !Float.isFinite(v))).as("%s has no specials", type).isEmpty();
        }
    }

    @FunctionalInterface
    interface FloatTest {
        boolean test(float value);
    }

    private static Set<Integer> codesWhere(ElementType type, FloatTest test) {
        Set<Integer> codes = new TreeSet<>();
        for (int code = 0; code < codeCount(type); code++) {
            if (test.test(type.decode(code))) {
                codes.add(code);
            }
        }
        return codes;
    }

    // ------------------------------------------------------------------------------------------
    // Round trip
    // ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(ElementType.class)
    void everyCodeRoundTripsUnderEveryRule(ElementType type) {
        int signMask = codeCount(type) >> 1;
        for (Ties ties : Ties.values()) {
            for (ZeroSign zeroSign : ZeroSign.values()) {
                for (int code = 0; code < codeCount(type); code++) {
                    float value = type.decode(code);
                    if (Float.isNaN(value)) {
                        continue;
                    }
                    int actual = type.encode(value, ties, zeroSign);
                    assertThat(actual)
                            .as("%s %s %s: encode(decode(0x%02X) = %s)", type, ties, zeroSign, code, value)
                            .isEqualTo(expectedRoundTrip(type, code, value, signMask, zeroSign));
                }
            }
        }
    }

    /** What encode(decode(code)) must give: the code itself except for the listed exceptions. */
    private static int expectedRoundTrip(ElementType type, int code, float value, int signMask, ZeroSign zeroSign) {
        if (Float.isInfinite(value)) { // E5M2 ±Inf saturate
            return value > 0 ? type.maxNormalCode() : type.maxNormalCode() | signMask;
        }
        if (type == ElementType.INT8 && code == 0x80) { // -2 is beyond -127/64: saturates to 0x81
            return 0x81;
        }
        if (code == signMask && type != ElementType.INT8) { // -0.0: only SIGN_BIT keeps the sign
            return zeroSign == ZeroSign.SIGN_BIT ? signMask : 0;
        }
        return code;
    }

    @Test
    void int8NeverProducesMinus128() {
        Oracle oracle = ORACLES.get(ElementType.INT8);
        for (float x : edgeInputs(oracle)) {
            for (Ties ties : Ties.values()) {
                assertThat(ElementType.INT8.encode(x, ties, ZeroSign.SIGN_BIT)).as("INT8 encode(%s)", x).isNotEqualTo(0x80);
            }
        }
        assertThat(ElementType.INT8.encode(-2f)).isEqualTo(0x81);
        assertThat(ElementType.INT8.encode(Float.NEGATIVE_INFINITY)).isEqualTo(0x81);
    }

    // ------------------------------------------------------------------------------------------
    // Encode against the oracle
    // ------------------------------------------------------------------------------------------

    /** The main sweep: 2^24 stride patterns + 2^21 dense in-range + edges, EVEN / SIGN_BIT. */
    @ParameterizedTest
    @EnumSource(ElementType.class)
    void encodeEvenMatchesOracle(ElementType type) {
        Oracle oracle = ORACLES.get(type);
        Mismatches mismatches = new Mismatches(type + " EVEN");
        // encode(x) is documented as encode(x, EVEN, SIGN_BIT): check it through the short form.
        FloatAction check = x -> mismatches.check(x, oracle.encode(x, Ties.EVEN, ZeroSign.SIGN_BIT), type.encode(x));
        strideSweep(256, check);
        denseSweep(oracle, check);
        for (float x : edgeInputs(oracle)) {
            check.accept(x);
            mismatches.check(x, oracle.encode(x, Ties.EVEN, ZeroSign.SIGN_BIT),
                    type.encode(x, Ties.EVEN, ZeroSign.SIGN_BIT));
        }
        mismatches.assertNone();
        assertThat(mismatches.checked()).as("%s EVEN inputs", type).isGreaterThanOrEqualTo(MIN_EVEN_INPUTS);
    }

    /** The other tie rules: edges (all midpoints) plus a 2^20 stride sweep and the dense sweep. */
    @ParameterizedTest
    @EnumSource(ElementType.class)
    void encodeOtherTieRulesMatchOracle(ElementType type) {
        Oracle oracle = ORACLES.get(type);
        for (Ties ties : List.of(Ties.AWAY_FROM_ZERO, Ties.TOWARD_ZERO)) {
            Mismatches mismatches = new Mismatches(type + " " + ties);
            FloatAction check = x -> mismatches.check(x, oracle.encode(x, ties, ZeroSign.SIGN_BIT),
                    type.encode(x, ties, ZeroSign.SIGN_BIT));
            for (float x : edgeInputs(oracle)) {
                check.accept(x);
            }
            strideSweep(1 << 12, check);
            denseSweep(oracle, check);
            mismatches.assertNone();
        }
    }

    /** Every tie rule with every zero-sign rule on the edge set (zeros, tiny negatives, midpoints). */
    @ParameterizedTest
    @EnumSource(ElementType.class)
    void encodeEveryZeroSignRuleMatchesOracle(ElementType type) {
        Oracle oracle = ORACLES.get(type);
        float[] inputs = edgeInputs(oracle);
        for (Ties ties : Ties.values()) {
            for (ZeroSign zeroSign : ZeroSign.values()) {
                Mismatches mismatches = new Mismatches(type + " " + ties + " " + zeroSign);
                for (float x : inputs) {
                    mismatches.check(x, oracle.encode(x, ties, zeroSign), type.encode(x, ties, zeroSign));
                }
                mismatches.assertNone();
            }
        }
    }

    /** The zero-sign rules spelled out (spec 2.5, 4.3): which zero code -0.0 and tiny negatives get. */
    @Test
    void zeroSignRulesByExample() {
        ElementType t = ElementType.E2M1;
        float tinyNegative = -0.1f; // rounds to zero magnitude
        assertThat(t.encode(-0f, Ties.EVEN, ZeroSign.SIGN_BIT)).isEqualTo(0x8);
        assertThat(t.encode(tinyNegative, Ties.EVEN, ZeroSign.SIGN_BIT)).isEqualTo(0x8);
        assertThat(t.encode(-0f, Ties.EVEN, ZeroSign.NEGATIVE)).isEqualTo(0x0);
        assertThat(t.encode(tinyNegative, Ties.EVEN, ZeroSign.NEGATIVE)).isEqualTo(0x8);
        assertThat(t.encode(-0f, Ties.EVEN, ZeroSign.POSITIVE)).isEqualTo(0x0);
        assertThat(t.encode(tinyNegative, Ties.EVEN, ZeroSign.POSITIVE)).isEqualTo(0x0);
        assertThat(t.encode(-0.3f, Ties.EVEN, ZeroSign.POSITIVE)).as("nonzero magnitude keeps its sign").isEqualTo(0x9);
        // E2M1 midpoints under each rule (spec 1.1 and 4.3).
        assertThat(t.encode(0.25f, Ties.EVEN, ZeroSign.SIGN_BIT)).isEqualTo(0x0);
        assertThat(t.encode(0.25f, Ties.AWAY_FROM_ZERO, ZeroSign.SIGN_BIT)).isEqualTo(0x1);
        assertThat(t.encode(-0.25f, Ties.TOWARD_ZERO, ZeroSign.POSITIVE)).isEqualTo(0x0);
        assertThat(t.encode(5f)).isEqualTo(0x6);
        assertThat(t.encode(5f, Ties.AWAY_FROM_ZERO, ZeroSign.SIGN_BIT)).isEqualTo(0x7);
        // INT8 has a single zero code.
        for (ZeroSign zeroSign : ZeroSign.values()) {
            assertThat(ElementType.INT8.encode(-0f, Ties.EVEN, zeroSign)).isZero();
            assertThat(ElementType.INT8.encode(-0x1p-10f, Ties.EVEN, zeroSign)).isZero();
        }
    }

    @Test
    void saturationByExample() {
        assertThat(ElementType.E4M3.encode(464f)).isEqualTo(0x7E);
        assertThat(ElementType.E4M3.encode(Math.nextUp(464f))).isEqualTo(0x7E);
        assertThat(ElementType.E4M3.encode(1e6f)).isEqualTo(0x7E);
        assertThat(ElementType.E4M3.encode(Float.NEGATIVE_INFINITY)).isEqualTo(0xFE);
        assertThat(ElementType.E5M2.encode(61440f)).isEqualTo(0x7B);
        assertThat(ElementType.E5M2.encode(Float.POSITIVE_INFINITY)).isEqualTo(0x7B);
        assertThat(ElementType.E2M1.encode(-7f)).isEqualTo(0xF);
        assertThat(ElementType.E2M3.encode(7.75f)).isEqualTo(0x1F);
        assertThat(ElementType.E3M2.encode(30f)).isEqualTo(0x1F);
        assertThat(ElementType.INT8.encode(255f / 128)).isEqualTo(0x7F);
    }

    @ParameterizedTest
    @EnumSource(ElementType.class)
    void nanGivesNanCodeOrThrows(ElementType type) {
        float[] nans = {
            Float.NaN,
            Float.intBitsToFloat(0x7F800001), // signalling
            Float.intBitsToFloat(0xFFC00000), // negative quiet
            Float.intBitsToFloat(0xFFFFFFFF),
        };
        for (float nan : nans) {
            for (Ties ties : Ties.values()) {
                for (ZeroSign zeroSign : ZeroSign.values()) {
                    if (type == ElementType.E4M3 || type == ElementType.E5M2) {
                        int code = type.encode(nan, ties, zeroSign);
                        assertThat(type.decode(code))
                                .as("%s encode(NaN bits 0x%08X) = 0x%02X", type, Float.floatToRawIntBits(nan), code)
                                .isNaN();
                    } else {
                        assertThatThrownBy(() -> type.encode(nan, ties, zeroSign))
                                .as("%s encode(NaN bits 0x%08X)", type, Float.floatToRawIntBits(nan))
                                .isInstanceOf(IllegalArgumentException.class);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // The oracle itself
    // ------------------------------------------------------------------------------------------

    /**
     * Guards the shortcut in {@link Oracle#magnitudeCode} (binary search + midpoint) with the
     * literal definition: scan every finite code, exact distances in BigDecimal, keep the minimum.
     */
    @ParameterizedTest
    @EnumSource(ElementType.class)
    void oracleAgreesWithExactBruteForce(ElementType type) {
        Oracle oracle = ORACLES.get(type);
        for (float x : edgeInputs(oracle)) {
            for (Ties ties : Ties.values()) {
                double a = Math.abs((double) x);
                assertThat(oracle.magnitudeCode(a, ties))
                        .as("%s %s oracle for %s", type, ties, x)
                        .isEqualTo(bruteForceMagnitudeCode(type, a, ties));
            }
        }
    }

    private static int bruteForceMagnitudeCode(ElementType type, double a, Ties ties) {
        if (Double.isInfinite(a)) {
            a = Double.MAX_VALUE; // only so BigDecimal accepts it; farther than every finite code
        }
        BigDecimal target = new BigDecimal(a);
        int best = -1;
        BigDecimal bestDistance = null;
        for (int code = 0; code < codeCount(type) / 2; code++) {
            double v = refDecode(type, code);
            if (!Double.isFinite(v)) {
                continue;
            }
            BigDecimal distance = new BigDecimal(v).subtract(target).abs();
            int cmp = bestDistance == null ? -1 : distance.compareTo(bestDistance);
            if (cmp < 0) {
                best = code;
                bestDistance = distance;
            } else if (cmp == 0) { // codes ascend with magnitude, so best is below and code above
                best = breakTie(best, code, ties);
            }
        }
        return best;
    }
}
