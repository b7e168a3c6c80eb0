package io.nvfp4.format;

/**
 * How a value exactly halfway between two representable neighbours is rounded.
 * Everything else rounds to the nearest neighbour.
 */
public enum Ties {
    /** IEEE round-half-to-even: the neighbour whose last mantissa bit is 0. PyTorch, torchao, hardware. */
    EVEN,
    /** Round half away from zero: microsoft/microxcaling's default {@code round="nearest"}. */
    AWAY_FROM_ZERO,
    /** Round half toward zero: ggml {@code best_index_mxfp4} and modelopt's MXFP4 cast. */
    TOWARD_ZERO;

    /** Rounds a non-negative {@code t} to an integer under this rule. */
    double round(double t) {
        return switch (this) {
            case EVEN -> Math.rint(t);
            case AWAY_FROM_ZERO -> Math.floor(t + 0.5);
            case TOWARD_ZERO -> Math.ceil(t - 0.5);
        };
    }
}
