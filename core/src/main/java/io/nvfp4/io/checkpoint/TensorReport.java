package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.Json;
import io.nvfp4.io.SafetensorsDType;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a conversion did with one source tensor.
 *
 * @param name        the source tensor
 * @param shape       its shape
 * @param dtype       its dtype
 * @param format      NVFP4 or MXFP4 when quantized; null when copied unchanged
 * @param reason      why it was copied unchanged; null when quantized
 * @param recipe      the recipe's name when quantized, else null
 * @param error       the reconstruction error when quantized, else null
 * @param tensorScale the stored tensor scale (NVFP4), else NaN
 * @param scaleGroup  the fused sibling group whose members share the tensor scale, or null
 * @param outputs     the names of the tensors written for it
 * @param bytesBefore bytes of the source tensor
 * @param bytesAfter  bytes of what was written for it
 */
public record TensorReport(String name, long[] shape, SafetensorsDType dtype, BlockFormat format, String reason,
                           String recipe, ErrorSummary error, float tensorScale, String scaleGroup,
                           List<String> outputs, long bytesBefore, long bytesAfter) {
    /** Copies the arrays. */
    public TensorReport {
        Objects.requireNonNull(name, "name");
        shape = shape.clone();
        outputs = List.copyOf(outputs);
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Whether the tensor was quantized. */
    public boolean quantized() {
        return format != null;
    }

    /** The report's JSON object (keys in a fixed order; infinite SQNR is written as null). */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("shape", shape.clone());
        json.put("dtype", dtype.name());
        json.put("action", quantized() ? "quantized" : "copied");
        if (quantized()) {
            json.put("format", format.name());
            json.put("recipe", recipe);
            double sqnr = error.sqnrDb();
            json.put("sqnr_db", Double.isFinite(sqnr) ? sqnr : null);
            json.put("max_abs_error", finiteOrNull(error.maxAbsError()));
            json.put("max_rel_error", finiteOrNull(error.maxRelError()));
            json.put("mse", finiteOrNull(error.mse()));
            if (!Float.isNaN(tensorScale)) {
                json.put("tensor_scale", new Json.RawNumber(Float.toString(tensorScale)));
            }
            json.put("scale_group", scaleGroup);
        } else {
            json.put("reason", reason);
        }
        json.put("outputs", outputs);
        json.put("bytes_before", bytesBefore);
        json.put("bytes_after", bytesAfter);
        return json;
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorReport r && name.equals(r.name) && Arrays.equals(shape, r.shape) && dtype == r.dtype
                && format == r.format && Objects.equals(reason, r.reason) && Objects.equals(recipe, r.recipe)
                && Objects.equals(error, r.error) && Float.compare(tensorScale, r.tensorScale) == 0
                && Objects.equals(scaleGroup, r.scaleGroup) && outputs.equals(r.outputs)
                && bytesBefore == r.bytesBefore && bytesAfter == r.bytesAfter;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), dtype, format, reason, recipe, error, tensorScale, scaleGroup,
                outputs, bytesBefore, bytesAfter);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " -> " + (quantized() ? format + " " + error : "copied (" + reason + ")");
    }
}
