package io.nvfp4.testkit;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.metrics.ErrorStats;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import org.assertj.core.api.AbstractAssert;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * AssertJ assertions on a {@link QuantizedMatrix}; start with {@link NvfpAssertions#assertThat(QuantizedMatrix)}.
 * A failure names the first offending byte or element with its row and column.
 *
 * <p>The accuracy checks compare with the source values the matrix was quantized from: give them with
 * {@link #against(float[])} / {@link #against(FloatMatrix)} or pass them to each check.
 */
public final class QuantizedMatrixAssert extends AbstractAssert<QuantizedMatrixAssert, QuantizedMatrix> {
    private float[] source;

    QuantizedMatrixAssert(QuantizedMatrix actual) {
        super(actual, QuantizedMatrixAssert.class);
    }

    /** The source values (rows x columns, row-major; copied) that later accuracy checks compare with. */
    public QuantizedMatrixAssert against(float[] source) {
        isNotNull();
        this.source = checkedSource(source);
        return myself;
    }

    /** The source matrix that later accuracy checks compare with. */
    public QuantizedMatrixAssert against(FloatMatrix source) {
        return against(toArray(source));
    }

    /**
     * Asserts the bytes equal {@code golden}'s: every code byte, every scale byte (the matrix's scales
     * read in row-major order, whatever its layout) and the tensor scale's bits.
     */
    public QuantizedMatrixAssert reproduces(Golden golden) {
        isNotNull();
        Objects.requireNonNull(golden, "golden");
        QuantizedMatrix q = actual.withScaleLayout(ScaleLayout.ROW_MAJOR);
        compareCodes(MemorySegment.ofArray(golden.codes()), q, "golden");
        compareScales(MemorySegment.ofArray(golden.scales()), q, "golden");
        compareTensorScale(golden.tensorScaleBits(), "golden");
        return myself;
    }

    /**
     * Asserts {@code other} holds the same quantization byte for byte: format, shape, codes, scales
     * (compared block by block, so the two may use different scale layouts) and the tensor scale's bits.
     */
    public QuantizedMatrixAssert isByteIdenticalTo(QuantizedMatrix other) {
        isNotNull();
        Objects.requireNonNull(other, "other");
        if (actual.format() != other.format()) {
            failWithMessage("Expected format %s but was %s (%s)", other.format(), actual.format(), actual);
        }
        if (actual.rows() != other.rows() || actual.columns() != other.columns()) {
            failWithMessage("Expected shape %d x %d but was %d x %d", other.rows(), other.columns(), actual.rows(),
                    actual.columns());
        }
        QuantizedMatrix mine = actual.withScaleLayout(ScaleLayout.ROW_MAJOR);
        QuantizedMatrix theirs = other.withScaleLayout(ScaleLayout.ROW_MAJOR);
        compareCodes(theirs.codes(), mine, "other");
        compareScales(theirs.scales(), mine, "other");
        compareTensorScale(Float.floatToRawIntBits(other.tensorScale()), "other");
        return myself;
    }

    /** Asserts the SQNR of the dequantized matrix against {@link #against the source} is at least {@code db}. */
    public QuantizedMatrixAssert hasSqnrAtLeast(double db) {
        isNotNull();
        float[] x = requireSource();
        ErrorStats stats = ErrorStats.compare(x, Dequantizer.dequantize(actual));
        if (!(stats.sqnrDb() >= db)) {
            failWithMessage("Expected SQNR of at least %s dB against the source but was %s dB (%s; %s)",
                    fmt(db), fmt(stats.sqnrDb()), stats, actual);
        }
        return myself;
    }

    /** {@link #against(float[]) against(source)}{@code .hasSqnrAtLeast(db)}. */
    public QuantizedMatrixAssert hasSqnrAtLeast(double db, float[] source) {
        return against(source).hasSqnrAtLeast(db);
    }

    /** {@link #against(FloatMatrix) against(source)}{@code .hasSqnrAtLeast(db)}. */
    public QuantizedMatrixAssert hasSqnrAtLeast(double db, FloatMatrix source) {
        return against(source).hasSqnrAtLeast(db);
    }

    /**
     * Asserts every element is rounded to a nearest grid point of its block: with f the block factor and
     * t = x / f, the error |x - get(r, c)| is at most f times half the gap between the two grid values
     * around t, or f times (|t| - largest grid magnitude on that side) when t is past the grid (saturation).
     * A block factor of 0 means the whole block decodes to zero (every element must be 0, and the scale
     * choice itself is left to {@link #hasSqnrAtLeast}); a NaN factor fails.
     *
     * <p>The check allows 4 fp32 ulps of |x| plus 4 of the decoded value: the quantizer computes t in fp32
     * (x / (s * g), or x * ((1 / g) / s) for torchao), a rounding or two away from the exact quotient used
     * here, so an element within an ulp of a midpoint may go either way; and {@code get} rounds
     * {@code code * f} to fp32. Holds for every deterministic recipe and scale rule (each rounds to
     * nearest under its chosen scale); not for stochastic rounding, which may pick the farther neighbour.
     */
    public QuantizedMatrixAssert errorWithinGridBound() {
        isNotNull();
        float[] x = requireSource();
        BlockFormat format = actual.format();
        double[] grid = grid(format);
        int columns = (int) actual.columns();
        int blockSize = format.blockSize();
        for (int r = 0; r < actual.rows(); r++) {
            for (int c = 0; c < columns; c++) {
                float xv = x[r * columns + c];
                float y = actual.get(r, c);
                float f = actual.blockFactor(r, c / blockSize);
                double err = Math.abs((double) xv - y);
                if (Float.isNaN(f)) {
                    failWithMessage("Block %d of row %d has a NaN block factor (scale byte 0x%02x) at column %d",
                            c / blockSize, r, actual.scaleCode(r, c / blockSize), c);
                }
                if (f == 0) {
                    if (y != 0) {
                        failWithMessage("Element (row %d, column %d) decodes to %s although its block factor is 0",
                                r, c, y);
                    }
                    continue;
                }
                double bound = f * halfGap(grid, (double) xv / f);
                double slack = 4.0 * Math.ulp(Math.abs(xv)) + 4.0 * Math.ulp(Math.abs(y));
                if (!(err <= bound + slack)) {
                    failWithMessage("Expected element (row %d, column %d) within the grid bound: source %s,"
                                    + " decoded %s (code 0x%x, block %d factor %s), error %s > bound %s (+ slack %s)",
                            r, c, xv, y, actual.code(r, c), c / blockSize, f, err, bound, slack);
                }
            }
        }
        return myself;
    }

    /** {@link #against(float[]) against(source)}{@code .errorWithinGridBound()}. */
    public QuantizedMatrixAssert errorWithinGridBound(float[] source) {
        return against(source).errorWithinGridBound();
    }

    /** {@link #against(FloatMatrix) against(source)}{@code .errorWithinGridBound()}. */
    public QuantizedMatrixAssert errorWithinGridBound(FloatMatrix source) {
        return against(source).errorWithinGridBound();
    }

    /** The sorted distinct finite values of the element type (signed). */
    private static double[] grid(BlockFormat format) {
        float[] table = format.elementType().decodeTable();
        return java.util.stream.IntStream.range(0, table.length).mapToDouble(i -> table[i])
                .filter(Double::isFinite).map(v -> v == 0 ? 0 : v).distinct().sorted().toArray();
    }

    /** Half the gap around t, or the excess past the end of the grid. */
    static double halfGap(double[] grid, double t) {
        double lo = grid[0], hi = grid[grid.length - 1];
        if (t >= hi) {
            return t - hi;
        }
        if (t <= lo) {
            return lo - t;
        }
        int i = Arrays.binarySearch(grid, t);
        if (i >= 0) {
            return 0;
        }
        int above = -i - 1;
        return (grid[above] - grid[above - 1]) / 2;
    }

    private void compareCodes(MemorySegment expected, QuantizedMatrix q, String what) {
        if (expected.byteSize() != q.codes().byteSize()) {
            failWithMessage("Expected %d code bytes (%s) but %s has %d", expected.byteSize(), what, q,
                    q.codes().byteSize());
        }
        long at = expected.mismatch(q.codes());
        if (at >= 0) {
            long perRow = q.codeBytesPerRow();
            long row = at / perRow, inRow = at % perRow;
            String columns = q.format().packsTwoPerByte()
                    ? "columns " + 2 * inRow + " and " + (2 * inRow + 1) : "column " + inRow;
            failWithMessage("Code byte %d differs from %s (row %d, %s): expected 0x%02x but was 0x%02x; %s", at,
                    what, row, columns, expected.get(ValueLayout.JAVA_BYTE, at) & 0xFF,
                    q.codes().get(ValueLayout.JAVA_BYTE, at) & 0xFF, actual);
        }
    }

    private void compareScales(MemorySegment expected, QuantizedMatrix rowMajor, String what) {
        if (expected.byteSize() != rowMajor.scales().byteSize()) {
            failWithMessage("Expected %d scale bytes (%s) but %s has %d", expected.byteSize(), what, rowMajor,
                    rowMajor.scales().byteSize());
        }
        long at = expected.mismatch(rowMajor.scales());
        if (at >= 0) {
            long blocks = rowMajor.blocksPerRow(), block = at % blocks;
            int blockSize = rowMajor.format().blockSize();
            failWithMessage("Scale byte %d (row-major) differs from %s (row %d, block %d: columns %d to %d):"
                            + " expected 0x%02x but was 0x%02x; %s", at, what, at / blocks, block, block * blockSize,
                    (block + 1) * blockSize - 1, expected.get(ValueLayout.JAVA_BYTE, at) & 0xFF,
                    rowMajor.scales().get(ValueLayout.JAVA_BYTE, at) & 0xFF, actual);
        }
    }

    private void compareTensorScale(int expectedBits, String what) {
        int bits = Float.floatToRawIntBits(actual.tensorScale());
        if (bits != expectedBits) {
            failWithMessage("Tensor scale differs from %s: expected %s (0x%08x) but was %s (0x%08x)", what,
                    Float.intBitsToFloat(expectedBits), expectedBits, actual.tensorScale(), bits);
        }
    }

    private float[] requireSource() {
        if (source == null) {
            throw new IllegalStateException("no source values: call against(source) first");
        }
        return source;
    }

    private float[] checkedSource(float[] values) {
        Objects.requireNonNull(values, "source");
        if (values.length != actual.rows() * actual.columns()) {
            throw new IllegalArgumentException("source has " + values.length + " values, " + actual + " needs "
                    + actual.rows() * actual.columns());
        }
        return values.clone();
    }

    private static float[] toArray(FloatMatrix m) {
        Objects.requireNonNull(m, "source");
        int rows = Math.toIntExact(m.rows()), columns = Math.toIntExact(m.columns());
        float[] out = new float[Math.multiplyExact(rows, columns)];
        float[] row = new float[columns];
        for (int r = 0; r < rows; r++) {
            m.readRow(r, 0, row, columns);
            System.arraycopy(row, 0, out, r * columns, columns);
        }
        return out;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
