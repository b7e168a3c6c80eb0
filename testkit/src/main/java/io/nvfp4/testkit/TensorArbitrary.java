package io.nvfp4.testkit;

import io.nvfp4.format.BF16;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.arbitraries.ArbitraryDecorator;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An {@link Arbitrary} of {@link Tensor}s, configured step by step; every step returns a new, immutable
 * arbitrary. Made by {@link Tensors}.
 *
 * <p>jqwik draws only the shape (within the requested ranges), the distribution (when more than one is
 * allowed) and a {@code long} seed; the values are computed from those and the configuration. Shrinking
 * therefore moves towards fewer rows and columns (never outside the ranges), towards the first allowed
 * distribution and towards seed 0, and every shrunk tensor still has every modifier applied.
 *
 * <p>The modifiers are applied in a fixed order, whatever the order of the calls: distribution times
 * {@link #scale(double) scale}, {@link #withOutliers outliers}, {@link #withZeroBlocks zero blocks},
 * {@link #nearE4m3SubnormalScales() subnormal-scale blocks}, {@link #bf16Representable() bf16 rounding}.
 */
public final class TensorArbitrary extends ArbitraryDecorator<Tensor> {
    /** The NVFP4 block size, which {@link #nearE4m3SubnormalScales()} aims at. */
    private static final int NVFP4_BLOCK = 16;
    /** E4M3's smallest subnormal, 2^-9, and the bound of 448 a two-level NVFP4 recipe maps the tensor amax to. */
    private static final double E4M3_SUBNORMAL_STEP = 0x1p-9;
    private static final double E4M3_MAX = 448;

    private final int minRows, maxRows, minColumns, maxColumns;
    private final Distribution[] distributions;
    private final double scale;
    private final double outlierFraction;
    private final int zeroBlockSize;
    private final double zeroBlockFraction;
    private final boolean subnormalScales;
    private final boolean bf16;

    TensorArbitrary(int minRows, int maxRows, int minColumns, int maxColumns) {
        this(minRows, maxRows, minColumns, maxColumns, Distribution.values(), 1, 0, 0, 0, false, false);
    }

    private TensorArbitrary(int minRows, int maxRows, int minColumns, int maxColumns, Distribution[] distributions,
                            double scale, double outlierFraction, int zeroBlockSize, double zeroBlockFraction,
                            boolean subnormalScales, boolean bf16) {
        if (minRows < 1 || minRows > maxRows || minColumns < 1 || minColumns > maxColumns) {
            throw new IllegalArgumentException("need 1 <= minRows <= maxRows and 1 <= minColumns <= maxColumns, got rows "
                    + minRows + ".." + maxRows + ", columns " + minColumns + ".." + maxColumns);
        }
        if ((long) maxRows * maxColumns > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("at most 2^31 - 9 elements, got " + maxRows + " x " + maxColumns);
        }
        this.minRows = minRows;
        this.maxRows = maxRows;
        this.minColumns = minColumns;
        this.maxColumns = maxColumns;
        this.distributions = distributions;
        this.scale = scale;
        this.outlierFraction = outlierFraction;
        this.zeroBlockSize = zeroBlockSize;
        this.zeroBlockFraction = zeroBlockFraction;
        this.subnormalScales = subnormalScales;
        this.bf16 = bf16;
    }

    private TensorArbitrary with(Distribution[] d, double s, double of, int zbs, double zbf, boolean sub, boolean b) {
        return new TensorArbitrary(minRows, maxRows, minColumns, maxColumns, d, s, of, zbs, zbf, sub, b);
    }

    /**
     * Values from {@code first} or any of {@code more}; shrinking prefers {@code first}. Without this
     * call the tensor draws from all four distributions, {@link Distribution#NORMAL} first.
     */
    public TensorArbitrary distribution(Distribution first, Distribution... more) {
        Distribution[] all = new Distribution[more.length + 1];
        all[0] = Objects.requireNonNull(first, "first");
        for (int i = 0; i < more.length; i++) {
            all[i + 1] = Objects.requireNonNull(more[i], "distribution");
        }
        return with(all, scale, outlierFraction, zeroBlockSize, zeroBlockFraction, subnormalScales, bf16);
    }

    /** Multiplies every sample by {@code scale} (positive and finite; default 1), e.g. 0.02 for typical weights. */
    public TensorArbitrary scale(double scale) {
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite, got " + scale);
        }
        return with(distributions, scale, outlierFraction, zeroBlockSize, zeroBlockFraction, subnormalScales, bf16);
    }

    /**
     * Multiplies {@code round(fraction * n)} values (at least one), at distinct seeded positions, by 50:
     * the outliers that set a tensor's amax far above its typical block.
     *
     * @param fraction in (0, 1]
     */
    public TensorArbitrary withOutliers(double fraction) {
        checkFraction(fraction, "outlier fraction");
        return with(distributions, scale, fraction, zeroBlockSize, zeroBlockFraction, subnormalScales, bf16);
    }

    /**
     * Sets whole blocks to +0: in each row, every block of {@code blockSize} consecutive columns (the last
     * one possibly partial) is zeroed with probability {@code fraction}, and at least one block of the
     * tensor is. With {@code blockSize} 32 a zeroed block covers whole NVFP4 (16) and MX (32) blocks.
     *
     * @param blockSize 16 (NVFP4) or 32 (MX), or any positive size
     * @param fraction  in (0, 1]
     */
    public TensorArbitrary withZeroBlocks(int blockSize, double fraction) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("block size must be positive, got " + blockSize);
        }
        checkFraction(fraction, "zero-block fraction");
        return with(distributions, scale, outlierFraction, blockSize, fraction, subnormalScales, bf16);
    }

    /**
     * Rescales every 16-column block (the NVFP4 block) except the one holding the tensor's amax so that its
     * maximum b satisfies {@code 448 * b / amax} in [1.5, 6.5] * 2^-9: a two-level NVFP4 recipe (modelopt,
     * torchao before its clamp, compressed-tensors) then gives it an E4M3 block scale in the subnormal range
     * (codes 0x01 to 0x07, below 2^-6), where the scale itself has only one to three significant bits.
     * All-zero blocks stay zero; a tensor of a single block is unchanged (it is its own amax block).
     */
    public TensorArbitrary nearE4m3SubnormalScales() {
        return with(distributions, scale, outlierFraction, zeroBlockSize, zeroBlockFraction, true, bf16);
    }

    /**
     * Rounds every value to the nearest bfloat16 (ties to even), last: the values of a bf16 checkpoint,
     * exact in fp32, which round-trip through {@link BF16}.
     */
    public TensorArbitrary bf16Representable() {
        return with(distributions, scale, outlierFraction, zeroBlockSize, zeroBlockFraction, subnormalScales, true);
    }

    @Override
    protected Arbitrary<Tensor> arbitrary() {
        Arbitrary<Integer> rows = Arbitraries.integers().between(minRows, maxRows);
        Arbitrary<Integer> columns = Arbitraries.integers().between(minColumns, maxColumns);
        Arbitrary<Distribution> distribution = distributions.length == 1
                ? Arbitraries.just(distributions[0]) : Arbitraries.of(distributions);
        Arbitrary<Long> seeds = Arbitraries.longs();
        return Combinators.combine(rows, columns, distribution, seeds).as(this::generate);
    }

    /**
     * The tensor this configuration makes from a shape, a distribution and a seed: what jqwik's draws
     * turn into, and a way to regenerate a reported tensor.
     */
    public Tensor generate(int rows, int columns, Distribution distribution, long seed) {
        if (rows < minRows || rows > maxRows || columns < minColumns || columns > maxColumns) {
            throw new IllegalArgumentException("shape " + rows + " x " + columns + " is outside rows " + minRows
                    + ".." + maxRows + ", columns " + minColumns + ".." + maxColumns);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int n = rows * columns;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (distribution.sample(random) * scale);
        }
        StringBuilder origin = new StringBuilder(distribution.name()).append(" seed=").append(seed);
        if (scale != 1) {
            origin.append(" scale=").append(scale);
        }
        if (outlierFraction > 0) {
            addOutliers(v, random);
            origin.append(String.format(Locale.ROOT, " outliers(%s)", outlierFraction));
        }
        if (zeroBlockFraction > 0) {
            zeroBlocks(v, rows, columns, random);
            origin.append(String.format(Locale.ROOT, " zeroBlocks(%d, %s)", zeroBlockSize, zeroBlockFraction));
        }
        if (subnormalScales) {
            subnormalScaleBlocks(v, rows, columns, random);
            origin.append(" nearE4m3SubnormalScales");
        }
        if (bf16) {
            for (int i = 0; i < n; i++) {
                v[i] = BF16.round(v[i]);
            }
            origin.append(" bf16");
        }
        return new Tensor(rows, columns, v, origin.toString());
    }

    private void addOutliers(float[] v, SplittableRandom random) {
        int count = (int) Math.max(1, Math.min(v.length, Math.round(outlierFraction * v.length)));
        // A partial Fisher-Yates shuffle picks distinct positions.
        int[] index = new int[v.length];
        Arrays.setAll(index, i -> i);
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(v.length - i);
            int t = index[i];
            index[i] = index[j];
            index[j] = t;
            v[index[i]] *= 50;
        }
    }

    private void zeroBlocks(float[] v, int rows, int columns, SplittableRandom random) {
        int blocks = Math.ceilDiv(columns, zeroBlockSize);
        boolean any = false;
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                if (random.nextDouble() < zeroBlockFraction) {
                    zeroBlock(v, r, columns, b);
                    any = true;
                }
            }
        }
        if (!any) {
            zeroBlock(v, random.nextInt(rows), columns, random.nextInt(blocks));
        }
    }

    private void zeroBlock(float[] v, int row, int columns, int block) {
        int from = row * columns + block * zeroBlockSize;
        Arrays.fill(v, from, row * columns + Math.min(columns, (block + 1) * zeroBlockSize), 0f);
    }

    private static void subnormalScaleBlocks(float[] v, int rows, int columns, SplittableRandom random) {
        int amaxAt = 0;
        for (int i = 1; i < v.length; i++) {
            if (Math.abs(v[i]) > Math.abs(v[amaxAt])) {
                amaxAt = i;
            }
        }
        double amax = Math.abs(v[amaxAt]);
        if (amax == 0 || !Double.isFinite(amax)) {
            return;
        }
        int blocks = Math.ceilDiv(columns, NVFP4_BLOCK);
        int anchorRow = amaxAt / columns, anchorBlock = (amaxAt % columns) / NVFP4_BLOCK;
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                if (r == anchorRow && b == anchorBlock) {
                    continue;
                }
                int from = r * columns + b * NVFP4_BLOCK, to = r * columns + Math.min(columns, (b + 1) * NVFP4_BLOCK);
                double blockMax = 0;
                for (int i = from; i < to; i++) {
                    blockMax = Math.max(blockMax, Math.abs(v[i]));
                }
                if (blockMax == 0) {
                    continue;
                }
                double targetScale = (1.5 + 5 * random.nextDouble()) * E4M3_SUBNORMAL_STEP; // [1.5, 6.5] * 2^-9
                double factor = targetScale * amax / E4M3_MAX / blockMax;
                for (int i = from; i < to; i++) {
                    v[i] = (float) (v[i] * factor);
                }
            }
        }
    }

    private static void checkFraction(double fraction, String what) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException(what + " must be in (0, 1], got " + fraction);
        }
    }

    @Override
    public String toString() {
        return "TensorArbitrary[rows " + minRows + ".." + maxRows + ", columns " + minColumns + ".." + maxColumns
                + ", " + Arrays.toString(distributions) + "]";
    }
}
