package io.nvfp4.testkit;

import io.nvfp4.tensor.FloatMatrix;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable rows x columns fp32 tensor, row-major, as made by {@link Tensors}.
 *
 * <p>{@link #values()} hands out a copy; {@link #toString()} shows the shape, how the tensor was made
 * (distribution, seed, modifiers) and its absolute maximum rather than the values, so that a failing
 * property's report stays readable and the tensor can be regenerated.
 *
 * @param rows    at least 1
 * @param columns at least 1
 * @param values  rows x columns values, row-major (copied)
 * @param origin  how the tensor was made, for reports, e.g. {@code "STUDENT_T3 seed=42 outliers(0.01)"}
 */
public record Tensor(int rows, int columns, float[] values, String origin) {

    /** Checks the shape and copies the values. */
    public Tensor {
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("shape must be positive, got " + rows + " x " + columns);
        }
        Objects.requireNonNull(values, "values");
        if ((long) rows * columns != values.length) {
            throw new IllegalArgumentException(rows + " x " + columns + " needs " + (long) rows * columns
                    + " values, got " + values.length);
        }
        values = values.clone();
        origin = Objects.requireNonNullElse(origin, "");
    }

    /** A tensor of the given values (copied), with no origin. */
    public static Tensor of(float[] values, int rows, int columns) {
        return new Tensor(rows, columns, values, "");
    }

    /** A copy of the values, row-major. */
    @Override
    public float[] values() {
        return values.clone();
    }

    /** The value at (row, column). */
    public float get(int row, int column) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(column, columns);
        return values[row * columns + column];
    }

    /** The largest |value|. */
    public float amax() {
        float m = 0;
        for (float v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** The values as a {@link FloatMatrix} (over a copy), ready for {@code Quantizer.quantize}. */
    public FloatMatrix matrix() {
        return FloatMatrix.of(values.clone(), rows, columns);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && rows == t.rows && columns == t.columns && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + columns) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Tensor[" + rows + " x " + columns + (origin.isEmpty() ? "" : ", " + origin) + ", amax=" + amax() + "]";
    }
}
