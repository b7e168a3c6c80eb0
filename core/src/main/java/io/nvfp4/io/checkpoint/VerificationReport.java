package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link Verifier#verify}: each quantized weight's error against its original, and
 * every inconsistency found. The checkpoint passes when {@link #problems()} is empty.
 *
 * @param original  the dense model
 * @param quantized the checkpoint
 * @param layout    its layout
 * @param format    its block format
 * @param weights   the error of each quantized weight, in the checkpoint's order
 * @param copied    tensors found byte-identical to the original
 * @param problems  inconsistencies: names, shapes, dtypes, bytes, configs, errors beyond the bound
 * @param notes     observations that are not errors
 */
public record VerificationReport(Path original, Path quantized, CheckpointLayout layout, BlockFormat format,
                                 List<WeightError> weights, int copied, List<String> problems, List<String> notes) {
    /** Copies the lists. */
    public VerificationReport {
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(quantized, "quantized");
        weights = List.copyOf(weights);
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
    }

    /** Whether no inconsistency was found. */
    public boolean ok() {
        return problems.isEmpty();
    }

    /**
     * One quantized weight's error.
     *
     * @param name  the dense tensor's name
     * @param shape its shape
     * @param error the reconstruction error over all its elements
     */
    public record WeightError(String name, long[] shape, ErrorSummary error) {
        /** Copies the shape. */
        public WeightError {
            shape = shape.clone();
        }

        /** A copy of the shape. */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof WeightError w && name.equals(w.name) && Arrays.equals(shape, w.shape) && error.equals(w.error);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, Arrays.hashCode(shape), error);
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape) + " " + error;
        }
    }
}
