package io.nvfp4.examples.minilm;

/**
 * The error function for BERT's exact GELU, which {@link Math} lacks: erf(x) = x P(x^2) / Q(x^2) on
 * [-4, 4] and +-1 beyond, the rational minimax approximation that Eigen and XLA use for float erf.
 * Evaluated in double, its absolute error is below 7e-8 everywhere (about half an ulp of a float near
 * 1; {@code ErfTest} checks it against a series to 1e-14), which is what a float erf can deliver, as
 * ONNX Runtime's does. Cheap: eleven multiply-adds and a division.
 *
 * <p>{@link #erfFloat} is the same rational function with float coefficients, evaluated in float, for
 * GELU's hot loop: C2 vectorizes float arithmetic 16 lanes wide. It loses a few float roundings
 * (absolute error below 4e-7 on [-6, 6] against the double evaluation), which moves MiniLM's fp32
 * embeddings by about 1e-7, far inside the agreement with ONNX Runtime that MiniLmTest requires.
 */
final class Erf {
    private static final double A1 = -2.72614225801306e-10;
    private static final double A3 = 2.77068142495902e-08;
    private static final double A5 = -2.10102402082508e-06;
    private static final double A7 = -5.69250639462346e-05;
    private static final double A9 = -7.34990630326855e-04;
    private static final double A11 = -2.95459980854025e-03;
    private static final double A13 = -1.60960333262415e-02;
    private static final double B0 = -1.45660718464996e-05;
    private static final double B2 = -2.13374055278905e-04;
    private static final double B4 = -1.68282697438203e-03;
    private static final double B6 = -7.37332916720468e-03;
    private static final double B8 = -1.42647390514189e-02;

    private static final float FA1 = (float) A1;
    private static final float FA3 = (float) A3;
    private static final float FA5 = (float) A5;
    private static final float FA7 = (float) A7;
    private static final float FA9 = (float) A9;
    private static final float FA11 = (float) A11;
    private static final float FA13 = (float) A13;
    private static final float FB0 = (float) B0;
    private static final float FB2 = (float) B2;
    private static final float FB4 = (float) B4;
    private static final float FB6 = (float) B6;
    private static final float FB8 = (float) B8;

    private Erf() {}

    static double erf(double x) {
        double c = Math.max(-4, Math.min(4, x)); // NaN passes through
        double x2 = c * c;
        double p = ((((((A1 * x2 + A3) * x2 + A5) * x2 + A7) * x2 + A9) * x2 + A11) * x2 + A13) * c;
        double q = (((B0 * x2 + B2) * x2 + B4) * x2 + B6) * x2 + B8;
        return p / q;
    }

    /** {@link #erf} in float arithmetic. */
    static float erfFloat(float x) {
        float c = Math.max(-4f, Math.min(4f, x)); // NaN passes through
        float x2 = c * c;
        float p = ((((((FA1 * x2 + FA3) * x2 + FA5) * x2 + FA7) * x2 + FA9) * x2 + FA11) * x2 + FA13) * c;
        float q = (((FB0 * x2 + FB2) * x2 + FB4) * x2 + FB6) * x2 + FB8;
        return p / q;
    }
}
