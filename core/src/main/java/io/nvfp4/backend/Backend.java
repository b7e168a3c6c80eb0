package io.nvfp4.backend;

import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

/**
 * A compute backend: quantize, dequantize and dequantize-matmul on quantized weights. Found through
 * {@link java.util.ServiceLoader} and chosen by {@link Backends}; {@link ScalarBackend} in this module
 * is the reference every other backend must match.
 *
 * <h2>Contract for backend authors</h2>
 * <ul>
 * <li><b>Exactness.</b> {@link #quantize} and {@link #dequantizeRow} produce exactly the bytes and
 *     floats of the scalar reference, for every format and recipe (fall back to it where a format has
 *     no fast path). {@link #matmul} may sum in any order; its result must lie within the bound of
 *     {@link ScalarBackend#matmulErrorBound} of the exact product of the dequantized weights.</li>
 * <li><b>Discovery.</b> The public no-argument constructor must be cheap and must not touch
 *     optional modules or devices; {@link #isSupported()} probes them and never throws.</li>
 * <li><b>Threads.</b> A backend instance and every {@link PreparedWeight} it returns are used from
 *     many threads at once, without external locking. Calls must not keep per-call state in fields.
 *     A backend may run a call on several threads of its own; the call returns when all are done.</li>
 * <li><b>Lifetime and caching.</b> {@link #prepare} may copy, repack or upload the weight and may
 *     cache anything derived from it inside the prepared weight, never elsewhere. The prepared weight
 *     owns those resources until {@link PreparedWeight#close()}; using it afterwards throws
 *     {@link IllegalStateException}. The {@link QuantizedMatrix} itself must stay valid (its memory
 *     mapped) as long as a prepared weight that still reads it is open.</li>
 * </ul>
 */
public interface Backend {

    /** A short lower-case name, the value of the system property {@code nvfp4.backend} that forces it. */
    String name();

    /** Higher wins when several backends are supported; the scalar reference has 0. */
    int priority();

    /** Whether this JVM and machine can run the backend (modules present, CPU features, devices). */
    boolean isSupported();

    /** {@code quantizer}'s result for {@code input}, byte for byte. */
    QuantizedMatrix quantize(Quantizer quantizer, FloatMatrix input);

    /** Dequantizes the logical columns of one row into {@code dst[0 .. columns)}. */
    void dequantizeRow(QuantizedMatrix weight, long row, float[] dst);

    /** Makes {@code weight} ready for {@link #matmul}; the caller closes the result. */
    PreparedWeight prepare(QuantizedMatrix weight);

    /**
     * {@code y = x * W^T}: for W [N x K] and x [M x K] writes y [M x N] row-major into
     * {@code y[0 .. M*N)}. K is W's logical column count. Runs on {@code pool}'s threads; the
     * result does not depend on their number.
     *
     * @throws IllegalArgumentException if the shapes do not fit, or {@code weight} is another backend's
     * @throws IllegalStateException    if {@code weight} is closed
     */
    void matmul(PreparedWeight weight, FloatMatrix x, float[] y, ComputePool pool);

    /** {@link #matmul(PreparedWeight, FloatMatrix, float[], ComputePool)} on {@link ComputePool#shared()}. */
    default void matmul(PreparedWeight weight, FloatMatrix x, float[] y) {
        matmul(weight, x, y, ComputePool.shared());
    }
}
