package io.nvfp4.examples.minilm;

/**
 * A linear layer of the encoder, {@code y = x W^T + b}, over rows of activations. One implementation
 * per weight mode: {@link DenseLinear} (fp32), {@link QuantizedLinear} (4-bit weights through the
 * backend SPI), {@link W4A4Linear} (4-bit weights and activations). Thread-safe.
 */
interface Linear extends AutoCloseable {
    /** Columns of x (the weight's {@code in}). */
    int inputs();

    /** Columns of y (the weight's {@code out}). */
    int outputs();

    /**
     * Writes {@code y[rows x outputs]} for {@code x[rows x inputs]}, both row-major and exactly that long.
     */
    void apply(float[] x, int rows, float[] y);

    /** Bytes the weight takes in this mode (codes, block scales and tensor scale; the bias not counted). */
    long weightBytes();

    /** Frees what the backend holds for the weight. */
    @Override
    void close();

    /** Adds {@code bias} to every row of {@code y}. */
    static void addBias(float[] y, int rows, float[] bias) {
        int n = bias.length;
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            for (int j = 0; j < n; j++) {
                y[base + j] += bias[j];
            }
        }
    }
}
