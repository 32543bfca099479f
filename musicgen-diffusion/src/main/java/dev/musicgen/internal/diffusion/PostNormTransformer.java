package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import dev.musicgen.internal.nn.F;
import dev.musicgen.internal.weights.WeightStore;

/**
 * The U-Net bottleneck, a post-norm transformer encoder: upstream's {@code DiffusionUnet.transformer}, audiocraft
 * {@code StreamingTransformer(C, 8, 6, bias_ff=False, bias_attn=False)} (modules/transformer.py @ 896ec7c) with its
 * default {@code norm_first=False}. (The LM's {@code StreamingTransformer} is the pre-norm, causal, streaming
 * configuration of the same upstream class.) Sinusoidal positions ({@code max_period} 10000, scale 1), then 6
 * post-norm layers ({@code nn.TransformerEncoderLayer}): {@code x = LN1(x + MHA(x)); x = LN2(x + W2 relu(W1 x))},
 * non-causal, no biases in attention or feed-forward, {@code dim_feedforward} 2048. Attention is
 * {@code torch.nn.MultiheadAttention} (custom=False): packed {@code in_proj_weight} rows q|k|v. Dropout (0.1
 * upstream) is off: inference semantics.
 */
final class PostNormTransformer {
    /** Where its weights are in a U-Net's {@code model_state}: {@code transformer.layers.N.*}. */
    static final String WEIGHTS = "transformer";

    static final int NUM_HEADS = 8;
    static final int NUM_LAYERS = 6;
    static final int DIM_FEEDFORWARD = 2048;
    static final float MAX_PERIOD = 10_000f;
    static final float LN_EPS = 1e-5f;

    private final int dim;
    private final Layer[] layers;

    private record Layer(
            NDArray inProj, // [3C, C]
            NDArray outProj, // [C, C]
            NDArray linear1, // [FF, C]
            NDArray linear2, // [C, FF]
            NDArray norm1W,
            NDArray norm1B,
            NDArray norm2W,
            NDArray norm2B) {}

    /** Loads {@code transformer.layers.N.*} from {@code unet} (a U-Net's weights) onto {@code manager}. */
    PostNormTransformer(NDManager manager, WeightStore unet, int dim) {
        this.dim = dim;
        this.layers = new Layer[NUM_LAYERS];
        WeightStore w = unet.view(WEIGHTS);
        DataType f32 = DataType.FLOAT32;
        for (int i = 0; i < NUM_LAYERS; i++) {
            WeightStore l = w.view("layers." + i);
            // upstream also accepts the key without "mha." (StreamingMultiheadAttention._load_from_state_dict)
            String mha = l.has("self_attn.mha.in_proj_weight") ? "self_attn.mha." : "self_attn.";
            layers[i] = new Layer(
                    l.load(mha + "in_proj_weight", manager, f32, 3L * dim, dim),
                    l.load(mha + "out_proj.weight", manager, f32, dim, dim),
                    l.load("linear1.weight", manager, f32, DIM_FEEDFORWARD, dim),
                    l.load("linear2.weight", manager, f32, dim, DIM_FEEDFORWARD),
                    l.load("norm1.weight", manager, f32, dim),
                    l.load("norm1.bias", manager, f32, dim),
                    l.load("norm2.weight", manager, f32, dim),
                    l.load("norm2.bias", manager, f32, dim));
        }
    }

    /** in/out: x [B, T, C]. */
    NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int head = dim / NUM_HEADS;
        x = x.add(F.sinEmbedding(x.getManager(), 0, t, dim, MAX_PERIOD)); // positional_scale 1
        for (Layer l : layers) {
            NDArray qkv = F.linear(x, l.inProj(), null).reshape(b, t, 3, NUM_HEADS, head); // [B, T, 3, H, D]
            NDArray q = qkv.get(new NDIndex(":, :, 0")).transpose(0, 2, 1, 3); // [B, H, T, D]
            NDArray k = qkv.get(new NDIndex(":, :, 1")).transpose(0, 2, 1, 3);
            NDArray v = qkv.get(new NDIndex(":, :, 2")).transpose(0, 2, 1, 3);
            NDArray att = F.attention(q, k, v, null).transpose(0, 2, 1, 3).reshape(b, t, dim); // [B, T, C]
            NDArray sa = F.linear(att, l.outProj(), null);
            x = F.layerNorm(x.add(sa), l.norm1W(), l.norm1B(), LN_EPS);
            NDArray ff = F.linear(Activation.relu(F.linear(x, l.linear1(), null)), l.linear2(), null);
            x = F.layerNorm(x.add(ff), l.norm2W(), l.norm2B(), LN_EPS);
        }
        return x;
    }
}
