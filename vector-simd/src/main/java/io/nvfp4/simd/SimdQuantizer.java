package io.nvfp4.simd;

import io.nvfp4.backend.ComputePool;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ElementType;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.format.Ties;
import io.nvfp4.format.ZeroSign;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.ScaleRule;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.nvfp4.simd.Vec.B128;
import static io.nvfp4.simd.Vec.B64;
import static io.nvfp4.simd.Vec.BL;
import static io.nvfp4.simd.Vec.F;
import static io.nvfp4.simd.Vec.I;
import static io.nvfp4.simd.Vec.L;
import static io.nvfp4.simd.Vec.WIDE;

/**
 * NVFP4 and MXFP4 quantization with vectors, byte for byte the scalar {@link Quantizer}'s output for
 * every recipe: quantizers that {@link Quantizer#reproducesReference() reproduce the reference}, and
 * NVFP4 with the Four Over Six or MSE-search scale rule ({@link SimdScaleRules}); the other accuracy
 * options run on the scalar quantizer.
 *
 * <p>Per row: block maxima by vector {@code abs}/{@code max} reductions; the scale bytes of L blocks
 * at a time with the recipe's own fp32 order (GGML's block by block, {@link Nvfp4Recipe#blockScaleCode});
 * then every element at once: the recipe's division or multiplication by the block constant (the same
 * single fp32 rounding as the reference), and E2M1 rounding by bits (ties to even) or, for the other
 * tie rules, by counting the midpoints the magnitude passes: seven compares, each midpoint {@code >}
 * or {@code >=} as the tie rule says, which is exact for every tie rule and saturates at 6 by
 * construction. Codes are packed two a byte with a byte-to-short reinterpretation.
 */
final class SimdQuantizer {
    private static final long ROWS_PER_TASK = 16;
    /** E2M1 midpoints between consecutive magnitudes. */
    private static final float[] MIDPOINTS = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5f};
    /** ggml's {@code kvalues_mxfp4} for codes 1..7: 2 x E2M1. */
    private static final float[] GGML_KVALUES = {0, 1, 2, 3, 4, 6, 8, 12};
    /** The two-table permutes of {@link #blockAmax16}'s four rounds, 16 lanes each: lanes a and b of each pair. */
    private static final int[] REDUCE_A = new int[64];
    private static final int[] REDUCE_B = new int[64];

    static {
        // round k keeps runs of (8 >> k) lanes; a takes the first run of each pair of runs, b the second
        for (int round = 0; round < 4; round++) {
            int run = 8 >> round;
            for (int i = 0; i < 16; i++) {
                int source = (i / run) * 2 * run + i % run; // lanes of the concatenated pair (0..31)
                REDUCE_A[round * 16 + i] = source;
                REDUCE_B[round * 16 + i] = source + run;
            }
        }
    }

    private SimdQuantizer() {}

    /**
     * Whether the vector path reproduces {@code quantizer} exactly: NVFP4 and MXFP4 with the reference
     * rule, and NVFP4 with {@link ScaleRule#FOUR_OVER_SIX} or {@link ScaleRule#MSE_SEARCH} and no other
     * accuracy option ({@link SimdScaleRules}). 16 x 16 tiles, stochastic rounding and rotations run on
     * the scalar quantizer.
     */
    static boolean accepts(Quantizer quantizer) {
        if (quantizer.reproducesReference()) {
            return quantizer.format() == BlockFormat.NVFP4 || quantizer.format() == BlockFormat.MXFP4;
        }
        // Quantizer has no getter for the rotation; the same quantizer with the reference rule tells
        // whether any option but the rule is set. (A rule implies NVFP4 without GGML: Quantizer refuses
        // the other combinations.)
        return quantizer.format() == BlockFormat.NVFP4 && quantizer.scaleRule() != ScaleRule.REFERENCE
                && quantizer.withScaleRule(ScaleRule.REFERENCE).reproducesReference();
    }

    static QuantizedMatrix quantize(Quantizer quantizer, FloatMatrix input) {
        BlockFormat format = quantizer.format();
        ScaleLayout layout = scaleLayoutOf(quantizer);
        long rows = input.rows();
        int columns = Math.toIntExact(input.columns());
        int padded = Math.toIntExact(format.paddedColumns(columns));
        int blocks = padded / format.blockSize();
        int vectorBlocks = Math.ceilDiv(blocks, L) * L; // per-block arrays hold whole vectors
        ScaleRule rule = quantizer.scaleRule();
        int tasks = Math.toIntExact(Math.ceilDiv(rows, ROWS_PER_TASK));
        ComputePool pool = ComputePool.shared();

        float[] taskAmax = new float[tasks];
        pool.parallelFor(tasks, task -> taskAmax[task] = scanAmax(input, task, columns, padded));
        float amax = 0;
        for (float a : taskAmax) {
            amax = Math.max(amax, a);
        }
        if (!Float.isFinite(amax)) {
            return quantizer.quantize(input); // the reference names the first NaN or infinite element
        }
        float g = quantizer.tensorScaleFor(amax); // throws like the reference for an unusable amax

        long rowBytes = padded / 2;
        MemorySegment codes = allocate(Math.multiplyExact(rows, rowBytes));
        MemorySegment scales = allocate(layout.byteSize(rows, blocks)); // zero: the swizzle padding
        // Last rows first: the scan read them last, so the largest share of them is still in cache.
        pool.parallelFor(tasks, reversed -> {
            int task = tasks - 1 - reversed;
            float[] row = new float[padded];
            byte[] elementCodes = new byte[padded];
            byte[] rowCodes = new byte[Math.toIntExact(rowBytes)];
            int[] scaleCodes = new int[vectorBlocks];
            byte[] scaleBytes = new byte[blocks];
            float[] constants = new float[vectorBlocks];
            float[] blockAmax = new float[vectorBlocks];
            SimdScaleRules rules = rule == ScaleRule.REFERENCE ? null : new SimdScaleRules(rule, blocks);
            for (long r = task * ROWS_PER_TASK; r < Math.min(rows, (task + 1) * ROWS_PER_TASK); r++) {
                input.readRow(r, 0, row, columns); // the padding stays zero
                if (quantizer.recipe() instanceof Nvfp4Recipe nv) {
                    blockAmaxes(row, blocks, blockAmax);
                    if (rules == null) {
                        nvfp4Scales(nv, blockAmax, blocks, g, scaleCodes, constants);
                    } else {
                        rules.scales(nv, row, blockAmax, g, scaleCodes, constants);
                    }
                    switch (nv) {
                        case MODELOPT, COMPRESSED_TENSORS, COMPRESSED_TENSORS_BF16 ->
                                scaledCodes(row, padded, constants, 4, true, nv != Nvfp4Recipe.MODELOPT,
                                        ZeroSign.NEGATIVE, Ties.EVEN, elementCodes);
                        case TORCHAO -> scaledCodes(row, padded, constants, 4, false, true, ZeroSign.SIGN_BIT,
                                Ties.EVEN, elementCodes);
                        case GGML -> ggmlCodes(row, padded, constants, elementCodes);
                    }
                } else {
                    MxRecipe mx = (MxRecipe) quantizer.recipe();
                    mxScales(mx, row, blocks, scaleCodes, constants);
                    scaledCodes(row, padded, constants, 5, false, false, mx.zeroSign(), mx.ties(), elementCodes);
                }
                pack(elementCodes, padded, rowCodes);
                MemorySegment.copy(rowCodes, 0, codes, ValueLayout.JAVA_BYTE, r * rowBytes, rowCodes.length);
                if (layout == ScaleLayout.ROW_MAJOR) {
                    for (int b = 0; b < blocks; b++) {
                        scaleBytes[b] = (byte) scaleCodes[b];
                    }
                    MemorySegment.copy(scaleBytes, 0, scales, ValueLayout.JAVA_BYTE, r * blocks, blocks);
                } else {
                    for (int b = 0; b < blocks; b++) {
                        scales.set(ValueLayout.JAVA_BYTE, layout.offset(r, b, blocks), (byte) scaleCodes[b]);
                    }
                }
            }
        });
        return QuantizedMatrix.wrap(format, quantizer.recipe(), rows, input.columns(), codes, scales, layout, g);
    }

    /**
     * Zeroed bytes for the output: a heap array when it fits one (fresh native memory costs a page fault
     * per 4 KB on every call, a third of the time at this speed), else GC-managed native memory.
     */
    private static MemorySegment allocate(long bytes) {
        return bytes <= Integer.MAX_VALUE - 16 ? MemorySegment.ofArray(new byte[(int) bytes])
                : Arena.ofAuto().allocate(bytes);
    }

    /**
     * The quantizer's scale layout. {@link Quantizer} does not expose it, so ask it: one block of zeros
     * quantized by the reference carries the layout (and costs microseconds).
     */
    private static ScaleLayout scaleLayoutOf(Quantizer quantizer) {
        int n = quantizer.format().blockSize();
        return quantizer.quantize(new float[n], 1, n).scaleLayout();
    }

    /**
     * The largest |x| over the rows of one task; NaN or infinity if any element is not finite. The
     * maximum runs on the magnitude bits as ints (one instruction; a float max with Java's NaN and
     * signed-zero rules costs several): for non-negative floats the integer order is the float order,
     * and NaN patterns sort above infinity.
     */
    private static float scanAmax(FloatMatrix input, int task, int columns, int padded) {
        float[] row = new float[padded];
        long rows = input.rows();
        IntVector max0 = IntVector.zero(I);
        IntVector max1 = IntVector.zero(I);
        int tailMax = 0;
        int pairEnd = columns - columns % (2 * L);
        for (long r = task * ROWS_PER_TASK; r < Math.min(rows, (task + 1) * ROWS_PER_TASK); r++) {
            input.readRow(r, 0, row, columns);
            for (int c = 0; c < pairEnd; c += 2 * L) {
                max0 = max0.max(FloatVector.fromArray(F, row, c).reinterpretAsInts().and(0x7FFFFFFF));
                max1 = max1.max(FloatVector.fromArray(F, row, c + L).reinterpretAsInts().and(0x7FFFFFFF));
            }
            for (int c = pairEnd; c < columns; c++) {
                tailMax = Math.max(tailMax, Float.floatToRawIntBits(row[c]) & 0x7FFFFFFF);
            }
        }
        int bits = Math.max(max0.max(max1).reduceLanes(VectorOperators.MAX), tailMax);
        return bits > 0x7F800000 ? Float.NaN : Float.intBitsToFloat(bits);
    }

    /**
     * The largest |x| of each 16-element block of one (zero-padded) row. With 16 lanes the blocks go
     * sixteen at a time ({@link #blockAmax16}); the rest one by one with a horizontal reduction.
     */
    static void blockAmaxes(float[] row, int blocks, float[] amax) {
        int b = 0;
        if (WIDE) {
            for (; b + 16 <= blocks; b += 16) {
                blockAmax16(row, b, amax);
            }
        }
        for (; b < blocks; b++) {
            int from = b * 16;
            FloatVector m = FloatVector.fromArray(F, row, from).abs();
            if (L == 8) {
                m = m.max(FloatVector.fromArray(F, row, from + 8).abs());
            }
            amax[b] = m.reduceLanes(VectorOperators.MAX);
        }
    }

    /**
     * The reference rule's scale bytes and element constants, from the block maxima: L blocks at a
     * time for every recipe but GGML, whose half-up UE4M3 rounding goes block by block through the
     * recipe's own scalar steps. {@code amax}, {@code scaleCodes} and {@code constants} hold a whole
     * number of vectors (the lanes past {@code blocks} are computed and not used).
     */
    private static void nvfp4Scales(Nvfp4Recipe recipe, float[] amax, int blocks, float g, int[] scaleCodes,
                                    float[] constants) {
        if (recipe == Nvfp4Recipe.GGML) {
            for (int b = 0; b < blocks; b++) {
                int code = recipe.blockScaleCode(amax[b], g);
                scaleCodes[b] = code;
                constants[b] = recipe.elementConstant(ScaleMath.e4m3(code), g);
            }
            return;
        }
        for (int b = 0; b < blocks; b += L) {
            scaleCodes(recipe, amax, b, g, 6f, scaleCodes);
            elementConstants(recipe, scaleCodes, b, g, constants);
        }
    }

    /*
     * The vector helpers below take and give arrays, not vectors: they are too large for C2 to inline
     * into their callers, and a vector passed to or returned from a call that is not inlined is boxed
     * on the heap (measured: 35 % of the NVFP4 quantize time when they returned vectors).
     */

    /**
     * The maxima of sixteen blocks (16 lanes) by a transposing reduction, into {@code amax[b0, b0 + 16)}:
     * four rounds of two-table permutes and max, 45 operations instead of sixteen horizontal reductions.
     */
    private static void blockAmax16(float[] row, int b0, float[] amax) {
        final int from = b0 * 16;
        // |x| as int bits: for non-negative floats the integer order is the float order
        IntVector m0 = FloatVector.fromArray(F, row, from).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m1 = FloatVector.fromArray(F, row, from + 16).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m2 = FloatVector.fromArray(F, row, from + 32).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m3 = FloatVector.fromArray(F, row, from + 48).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m4 = FloatVector.fromArray(F, row, from + 64).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m5 = FloatVector.fromArray(F, row, from + 80).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m6 = FloatVector.fromArray(F, row, from + 96).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m7 = FloatVector.fromArray(F, row, from + 112).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m8 = FloatVector.fromArray(F, row, from + 128).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m9 = FloatVector.fromArray(F, row, from + 144).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m10 = FloatVector.fromArray(F, row, from + 160).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m11 = FloatVector.fromArray(F, row, from + 176).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m12 = FloatVector.fromArray(F, row, from + 192).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m13 = FloatVector.fromArray(F, row, from + 208).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m14 = FloatVector.fromArray(F, row, from + 224).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector m15 = FloatVector.fromArray(F, row, from + 240).reinterpretAsInts().and(0x7FFFFFFF);
        IntVector a = IntVector.fromArray(I, REDUCE_A, 0);
        IntVector b = IntVector.fromArray(I, REDUCE_B, 0);
        // round 1: lanes 0..7 hold halves of the even block, 8..15 of the odd one
        IntVector t0 = a.selectFrom(m0, m1).max(b.selectFrom(m0, m1));
        IntVector t1 = a.selectFrom(m2, m3).max(b.selectFrom(m2, m3));
        IntVector t2 = a.selectFrom(m4, m5).max(b.selectFrom(m4, m5));
        IntVector t3 = a.selectFrom(m6, m7).max(b.selectFrom(m6, m7));
        IntVector t4 = a.selectFrom(m8, m9).max(b.selectFrom(m8, m9));
        IntVector t5 = a.selectFrom(m10, m11).max(b.selectFrom(m10, m11));
        IntVector t6 = a.selectFrom(m12, m13).max(b.selectFrom(m12, m13));
        IntVector t7 = a.selectFrom(m14, m15).max(b.selectFrom(m14, m15));
        a = IntVector.fromArray(I, REDUCE_A, 16);
        b = IntVector.fromArray(I, REDUCE_B, 16);
        IntVector u0 = a.selectFrom(t0, t1).max(b.selectFrom(t0, t1)); // 4 lanes a block
        IntVector u1 = a.selectFrom(t2, t3).max(b.selectFrom(t2, t3));
        IntVector u2 = a.selectFrom(t4, t5).max(b.selectFrom(t4, t5));
        IntVector u3 = a.selectFrom(t6, t7).max(b.selectFrom(t6, t7));
        a = IntVector.fromArray(I, REDUCE_A, 32);
        b = IntVector.fromArray(I, REDUCE_B, 32);
        IntVector v0 = a.selectFrom(u0, u1).max(b.selectFrom(u0, u1)); // 2 lanes a block
        IntVector v1 = a.selectFrom(u2, u3).max(b.selectFrom(u2, u3));
        a = IntVector.fromArray(I, REDUCE_A, 48);
        b = IntVector.fromArray(I, REDUCE_B, 48);
        a.selectFrom(v0, v1).max(b.selectFrom(v0, v1)).reinterpretAsFloats().intoArray(amax, b0);
    }

    /**
     * {@link Nvfp4Recipe#blockScaleCode(float, float, float)} lane-wise (not GGML): each recipe's scale
     * arithmetic in the same fp32 order, mapping the block maximum to {@code target}, then the E4M3
     * rounding by bits ({@link ScaleMath#encodeE4M3} with vectors): ties to even at the third mantissa
     * bit for normals, {@code rint(r * 512)} by the 2^23 trick for subnormals, saturation at 0x7E. Reads
     * the L block maxima {@code amax[b, b + L)}, writes their codes to {@code codes[b, b + L)}.
     */
    static void scaleCodes(Nvfp4Recipe recipe, float[] amaxes, int b, float g, float target, int[] codes) {
        FloatVector amax = FloatVector.fromArray(F, amaxes, b);
        FloatVector r = switch (recipe) {
            case MODELOPT -> {
                FloatVector q = amax.div(target * g);
                yield q.blend(1f, q.eq(0f)); // r == 0 becomes 1
            }
            case TORCHAO -> amax.div(target).div(g).max(0x1p-6f).min(448f);
            case COMPRESSED_TENSORS -> amax.div(target).mul(g).min(448f);
            case COMPRESSED_TENSORS_BF16 -> {
                IntVector bits = amax.div(target).reinterpretAsInts();
                IntVector bf16 = bits.add(0x7FFF).add(bits.lanewise(VectorOperators.LSHR, 16).and(1)).and(0xFFFF0000);
                yield bf16.reinterpretAsFloats().mul(g).min(448f);
            }
            case GGML -> throw new IllegalArgumentException("GGML scales are rounded one by one");
        };
        IntVector rb = r.reinterpretAsInts();
        IntVector normal = rb.add(0x7FFFF).add(rb.lanewise(VectorOperators.LSHR, 20).and(1))
                .lanewise(VectorOperators.LSHR, 20).sub((127 - 7) << 3).min(0x7E);
        IntVector subnormal = r.mul(512f).add(0x1p23f).reinterpretAsInts().sub(0x4B000000);
        IntVector code = normal.blend(subnormal, r.lt(0x1p-6f).cast(I));
        if (recipe.tensorScaleDivides()) {
            code = code.blend(0x20, code.eq(0)); // compressed-tensors: a zero scale becomes 0.125
        }
        code.intoArray(codes, b);
    }

    /** The E4M3 values of scale bytes 0x00 to 0x7E, exactly: the bits moved into fp32 and rescaled by 2^120. */
    static FloatVector decodeE4M3(IntVector code) {
        return code.lanewise(VectorOperators.LSHL, 20).reinterpretAsFloats().mul(0x1p120f);
    }

    /**
     * {@link Nvfp4Recipe#elementConstant} lane-wise, in the same fp32 order (not GGML), for the scale
     * bytes {@code codes[b, b + L)}, into {@code constants[b, b + L)}.
     */
    static void elementConstants(Nvfp4Recipe recipe, int[] codes, int b, float g, float[] constants) {
        FloatVector s = decodeE4M3(IntVector.fromArray(I, codes, b));
        FloatVector k = switch (recipe) {
            case MODELOPT -> s.mul(g);
            case TORCHAO -> FloatVector.broadcast(F, 1f / g).div(s);
            case COMPRESSED_TENSORS, COMPRESSED_TENSORS_BF16 -> s.div(g);
            case GGML -> throw new IllegalArgumentException("GGML constants are computed one by one");
        };
        k.intoArray(constants, b);
    }

    /** MX block amaxes, E8M0 bytes and reciprocals 2^(127 - code) of one row. */
    private static void mxScales(MxRecipe recipe, float[] row, int blocks, int[] scaleCodes, float[] reciprocals) {
        for (int b = 0; b < blocks; b++) {
            int from = b * 32;
            FloatVector m = FloatVector.fromArray(F, row, from).abs().max(FloatVector.fromArray(F, row, from + L).abs());
            if (L == 8) {
                m = m.max(FloatVector.fromArray(F, row, from + 16).abs()).max(FloatVector.fromArray(F, row, from + 24).abs());
            }
            float amax = m.reduceLanes(VectorOperators.MAX);
            int code = recipe.scaleRule().scaleCode(ElementType.E2M1, amax);
            scaleCodes[b] = code;
            reciprocals[b] = ScaleMath.mxReciprocal(code);
        }
    }

    /**
     * E2M1 codes of a row whose elements are scaled by their block's constant: {@code x / k} when
     * {@code divide}, else {@code x * k}; clamped to [-6, 6] when {@code clamp}; then rounded with
     * {@code ties}, NaN to code 7 (a modelopt block whose scale underflowed to 0).
     *
     * @param blockShift log2 of the block size
     */
    private static void scaledCodes(float[] row, int padded, float[] constants, int blockShift, boolean divide,
                                    boolean clamp, ZeroSign zeroSign, Ties ties, byte[] out) {
        final boolean even = ties == Ties.EVEN;
        final boolean away = ties == Ties.AWAY_FROM_ZERO;
        for (int c = 0; c < padded; c += L) {
            final float k = constants[c >>> blockShift];
            final FloatVector x = FloatVector.fromArray(F, row, c);
            FloatVector q = divide ? x.div(k) : x.mul(k);
            if (clamp) { // q is never NaN here, so compare-and-blend is Math.clamp (and far cheaper than max/min)
                q = q.blend(-6f, q.lt(-6f)).blend(6f, q.compare(VectorOperators.GT, 6f));
            }
            // k = 0 (a modelopt scale that underflowed) and k = Inf (torchao's (1 / g) / s past the fp32
            // maximum) make NaN and infinities; they go below, where a NaN of either sign becomes code 7
            if (even && k != 0f && k != Float.POSITIVE_INFINITY) {
                // Ties to even by bits: for |q| >= 1 round the fp32 mantissa to one bit (the E2M1 normals),
                // below 1 round |q| * 2 to an integer with the 2^23 trick (the subnormal 0.5 steps); both exact.
                final IntVector bits = q.reinterpretAsInts();
                final IntVector magnitudeBits = bits.and(0x7FFFFFFF);
                final IntVector normal = magnitudeBits.add(0x1FFFFF)
                        .add(magnitudeBits.lanewise(VectorOperators.LSHR, 22).and(1))
                        .lanewise(VectorOperators.LSHR, 22).sub(252).min(7);
                final IntVector small = q.abs().mul(2f).add(0x1p23f).reinterpretAsInts().sub(0x4B000000);
                IntVector code = normal.blend(small, magnitudeBits.lt(0x3F800000));
                code = switch (zeroSign) {
                    case SIGN_BIT -> code.or(bits.lanewise(VectorOperators.LSHR, 28).and(8));
                    case NEGATIVE -> code.lanewise(VectorOperators.OR, 8, q.lt(0f).cast(I));
                    case POSITIVE -> code.lanewise(VectorOperators.OR, 8,
                            q.lt(0f).cast(I).and(code.compare(VectorOperators.NE, 0)));
                };
                code.convertShape(VectorOperators.I2B, BL, 0).reinterpretAsBytes().intoArray(out, c);
                continue;
            }
            final FloatVector a = q.abs();
            // the number of midpoints below a: ">" for a tie that rounds down, ">=" for one that rounds up
            FloatVector mag = FloatVector.zero(F);
            mag = mag.add(1f, a.compare(away ? VectorOperators.GE : VectorOperators.GT, MIDPOINTS[0]));
            mag = mag.add(1f, a.compare(even || away ? VectorOperators.GE : VectorOperators.GT, MIDPOINTS[1]));
            mag = mag.add(1f, a.compare(away ? VectorOperators.GE : VectorOperators.GT, MIDPOINTS[2]));
            mag = mag.add(1f, a.compare(even || away ? VectorOperators.GE : VectorOperators.GT, MIDPOINTS[3]));
            mag = mag.add(1f, a.compare(away ? VectorOperators.GE : VectorOperators.GT, MIDPOINTS[4]));
            mag = mag.add(1f, a.compare(even || away ? VectorOperators.GE : VectorOperators.GT, MIDPOINTS[5]));
            mag = mag.add(1f, a.compare(away ? VectorOperators.GE : VectorOperators.GT, MIDPOINTS[6]));
            IntVector code = (IntVector) mag.convert(VectorOperators.F2I, 0);
            VectorMask<Integer> negative = switch (zeroSign) {
                case SIGN_BIT -> q.reinterpretAsInts().lt(0);
                case NEGATIVE -> q.lt(0f).cast(I);
                case POSITIVE -> q.lt(0f).cast(I).and(code.compare(VectorOperators.NE, 0));
            };
            code = code.lanewise(VectorOperators.OR, 8, negative);
            code = code.blend(7, q.test(VectorOperators.IS_NAN).cast(I));
            code.convertShape(VectorOperators.I2B, BL, 0).reinterpretAsBytes().intoArray(out, c);
        }
    }

    /**
     * ggml's {@code best_index_mxfp4}: the first code with the smallest fp32 {@code |kvalue * d - x|}.
     * Negative codes mirror positive ones exactly, so the search runs on |x| over codes 0..7 and a
     * non-zero result of a negative x gets the sign bit (a negative x never prefers a positive code).
     */
    private static void ggmlCodes(float[] row, int padded, float[] halfScales, byte[] out) {
        for (int c = 0; c < padded; c += L) {
            final float d = halfScales[c >>> 4];
            final FloatVector x = FloatVector.fromArray(F, row, c);
            final FloatVector a = x.abs();
            FloatVector bestError = a; // code 0: |0 * d - x|
            IntVector best = IntVector.zero(I);
            for (int i = 1; i < 8; i++) {
                FloatVector error = FloatVector.broadcast(F, GGML_KVALUES[i] * d).sub(a).abs();
                VectorMask<Float> better = error.lt(bestError);
                bestError = bestError.blend(error, better);
                best = best.blend(i, better.cast(I));
            }
            VectorMask<Integer> negative = x.lt(0f).cast(I).and(best.compare(VectorOperators.NE, 0));
            best.lanewise(VectorOperators.OR, 8, negative).convertShape(VectorOperators.I2B, BL, 0)
                    .reinterpretAsBytes().intoArray(out, c);
        }
    }

    /** Packs one code byte per element into two codes a byte, low nibble first. */
    private static void pack(byte[] elementCodes, int padded, byte[] rowCodes) {
        for (int c = 0; c < padded; c += 16) {
            ShortVector pairs = ByteVector.fromArray(B128, elementCodes, c).reinterpretAsShorts(); // lo | hi << 8
            pairs.or(pairs.lanewise(VectorOperators.LSHR, 4)) // lo | hi << 4 in the low byte
                    .convertShape(VectorOperators.S2B, B64, 0).reinterpretAsBytes().intoArray(rowCodes, c >>> 1);
        }
    }
}
