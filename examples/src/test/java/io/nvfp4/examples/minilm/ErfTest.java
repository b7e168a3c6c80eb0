package io.nvfp4.examples.minilm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ErfTest {
    @Test
    void matchesKnownValues() {
        assertThat(Erf.erf(0)).isEqualTo(0);
        assertThat(Erf.erf(0.5)).isCloseTo(0.5204998778130465, within(1e-7));
        assertThat(Erf.erf(1)).isCloseTo(0.8427007929497149, within(1e-7));
        assertThat(Erf.erf(-1.5)).isCloseTo(-0.9661051464753108, within(1e-7));
        assertThat(Erf.erf(2)).isCloseTo(0.9953222650189527, within(1e-7));
        assertThat(Erf.erf(10)).isCloseTo(1, within(1e-7));
        assertThat(Erf.erf(Double.NEGATIVE_INFINITY)).isCloseTo(-1, within(1e-7));
        assertThat(Erf.erf(Double.NaN)).isNaN();
    }

    @Test
    void staysWithinSevenHundredthsOfAMillionthOfASeriesReference() {
        double worst = 0;
        for (double x = -6; x <= 6; x += 1e-4) {
            worst = Math.max(worst, Math.abs(Erf.erf(x) - reference(x)));
        }
        assertThat(worst).isLessThan(7e-8);
    }

    /** The float evaluation GELU uses: within 5e-7 of erf (measured 4.0e-7), odd, saturating, NaN kept. */
    @Test
    void theFloatEvaluationStaysWithinHalfAMillionthOfErf() {
        double worst = 0;
        for (float x = -6; x <= 6; x += 1e-4f) {
            worst = Math.max(worst, Math.abs(Erf.erfFloat(x) - reference(x)));
            assertThat(Erf.erfFloat(-x)).isEqualTo(-Erf.erfFloat(x));
        }
        assertThat(worst).isLessThan(5e-7);
        assertThat(Erf.erfFloat(0f)).isEqualTo(0f);
        assertThat(Erf.erfFloat(50f)).isCloseTo(1f, within(5e-7f));
        assertThat(Erf.erfFloat(Float.NEGATIVE_INFINITY)).isCloseTo(-1f, within(5e-7f));
        assertThat(Erf.erfFloat(Float.NaN)).isNaN();
    }

    /** erf to about 1e-14: the Maclaurin series below 3, the continued fraction of erfc from 3 on. */
    private static double reference(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            double term = a;
            double sum = a;
            for (int n = 1; n < 200; n++) {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = a;
            for (int n = 200; n >= 1; n--) {
                f = a + (n / 2.0) / f;
            }
            r = 1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * f);
        }
        return Math.copySign(r, x);
    }
}
