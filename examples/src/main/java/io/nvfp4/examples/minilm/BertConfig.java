package io.nvfp4.examples.minilm;

/**
 * The shape of a BERT encoder. {@link BertWeights} reads the sizes from the weights themselves; the
 * head count and the layer-norm epsilon are not in the weights, so they come from the model's
 * {@code config.json} (for all-MiniLM-L6-v2: 12 heads of 32, epsilon 1e-12).
 *
 * @param vocabularySize      rows of the word embedding table
 * @param hidden              width of every token's vector (384)
 * @param layers              transformer layers (6)
 * @param heads               attention heads; {@code hidden / heads} is a head's width
 * @param intermediate        width of the feed-forward layer (1536)
 * @param maxPositions        rows of the position embedding table: the longest input (512)
 * @param typeVocabularySize  rows of the token type table (2)
 * @param layerNormEpsilon    added to the variance in every layer norm
 */
public record BertConfig(int vocabularySize, int hidden, int layers, int heads, int intermediate, int maxPositions,
                         int typeVocabularySize, float layerNormEpsilon) {
    /** all-MiniLM-L6-v2's attention heads (config.json {@code num_attention_heads}). */
    public static final int MINILM_HEADS = 12;
    /** BERT's layer-norm epsilon (config.json {@code layer_norm_eps}). */
    public static final float BERT_LAYER_NORM_EPSILON = 1e-12f;

    /** Checks the sizes fit together. */
    public BertConfig {
        if (vocabularySize < 1 || hidden < 1 || layers < 1 || heads < 1 || intermediate < 1 || maxPositions < 1
                || typeVocabularySize < 1) {
            throw new IllegalArgumentException("sizes must be positive: " + this);
        }
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden size " + hidden + " is not a multiple of " + heads + " heads");
        }
        if (!(layerNormEpsilon > 0)) {
            throw new IllegalArgumentException("layer norm epsilon must be positive, got " + layerNormEpsilon);
        }
    }

    /** Width of one attention head. */
    public int headSize() {
        return hidden / heads;
    }
}
