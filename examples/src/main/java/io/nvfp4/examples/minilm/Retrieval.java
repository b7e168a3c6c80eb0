package io.nvfp4.examples.minilm;

import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * How closely one set of embeddings follows a reference set of the same texts:
 * <ul>
 * <li><b>cosine</b>: for each text, the cosine similarity of its two embeddings; mean and minimum;</li>
 * <li><b>top-1 agreement</b>: the fraction of texts whose nearest other text (highest cosine, ties to
 *     the lower index) is the same under both;</li>
 * <li><b>top-5 agreement</b>: for each text, the overlap of its five nearest other texts under both,
 *     |A ∩ B| / 5, averaged over the texts.</li>
 * </ul>
 */
public final class Retrieval {
    private Retrieval() {}

    /** The agreement of {@code candidate} with {@code reference}. */
    public record Agreement(double meanCosine, double minCosine, double top1, double top5) {}

    /** Compares two embeddings of the same texts, row by row. */
    public static Agreement compare(float[][] reference, float[][] candidate) {
        if (reference.length != candidate.length || reference.length < 6) {
            throw new IllegalArgumentException("need two embeddings of the same 6 or more texts, got " + reference.length
                    + " and " + candidate.length);
        }
        int n = reference.length;
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double c = cosine(reference[i], candidate[i]);
            sum += c;
            min = Math.min(min, c);
        }
        int[][] refNeighbours = neighbours(reference, 5);
        int[][] candNeighbours = neighbours(candidate, 5);
        int top1 = 0;
        int shared = 0;
        for (int i = 0; i < n; i++) {
            if (refNeighbours[i][0] == candNeighbours[i][0]) {
                top1++;
            }
            for (int a : refNeighbours[i]) {
                for (int b : candNeighbours[i]) {
                    if (a == b) {
                        shared++;
                    }
                }
            }
        }
        return new Agreement(sum / n, min, (double) top1 / n, shared / (5.0 * n));
    }

    /** For each text, the {@code k} other texts of highest cosine similarity, best first (ties to the lower index). */
    public static int[][] neighbours(float[][] embeddings, int k) {
        int n = embeddings.length;
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            int self = i;
            double[] sim = new double[n];
            for (int j = 0; j < n; j++) {
                sim[j] = cosine(embeddings[i], embeddings[j]);
            }
            out[i] = IntStream.range(0, n).filter(j -> j != self).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(j -> -sim[j]).thenComparingInt(j -> j))
                    .limit(k).mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /** x.y / (|x| |y|), in double. */
    public static double cosine(float[] x, float[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("lengths differ: " + x.length + " and " + y.length);
        }
        double xy = 0;
        double xx = 0;
        double yy = 0;
        for (int i = 0; i < x.length; i++) {
            xy += (double) x[i] * y[i];
            xx += (double) x[i] * x[i];
            yy += (double) y[i] * y[i];
        }
        return xx == 0 || yy == 0 ? (xx == yy ? 1 : 0) : xy / Math.sqrt(xx * yy);
    }

    /** The largest of the per-text cosine distances 1 - cos(reference, candidate). */
    public static double maxCosineDistance(float[][] reference, float[][] candidate) {
        return IntStream.range(0, reference.length).mapToDouble(i -> 1 - cosine(reference[i], candidate[i])).max()
                .orElse(0);
    }
}
