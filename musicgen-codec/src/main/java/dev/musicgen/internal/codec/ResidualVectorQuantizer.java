package dev.musicgen.internal.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.musicgen.internal.weights.WeightStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Port of audiocraft {@code ResidualVectorQuantizer} ({@code quantization/vq.py}, {@code core_vq.py} @ v1.2.0),
 * inference only. Encode: for each of the {@code n_q} codebooks, the nearest codeword of the residual, which is then
 * subtracted; decode: the sum of the codewords. No projections ({@code codebook_dim == dimension}, as in EnCodec).
 */
final class ResidualVectorQuantizer {
    private final List<EuclideanCodebook> layers = new ArrayList<>();
    private final int dimension;

    /** @param w the view of the quantizer ({@code quantizer.}), holding {@code layers.N.codebook.*} */
    ResidualVectorQuantizer(WeightStore w, NDManager manager, EncodecConfig.RvqConfig cfg) {
        this.dimension = cfg.dimension();
        for (int i = 0; i < cfg.nQ(); i++) {
            layers.add(
                    new EuclideanCodebook(w.view("layers." + i + ".codebook"), manager, cfg.bins(), cfg.dimension()));
        }
    }

    /** x [B, D, T] -> codes [B, K, T] (int64). */
    NDArray encode(NDArray x) {
        long batch = x.getShape().get(0);
        long frames = x.getShape().get(2);
        // [B, D, T] -> [B, T, D] -> [B*T, D] (upstream: rearrange "b d n -> b n d", then "... d -> (...) d")
        NDArray residual = x.transpose(0, 2, 1).reshape(batch * frames, dimension);
        NDList all = new NDList();
        for (EuclideanCodebook layer : layers) {
            NDArray idx = layer.encode(residual); // [B*T]
            residual = residual.sub(layer.decode(idx));
            all.add(idx.reshape(batch, frames));
        }
        return NDArrays.stack(all, 1); // [B, K, T]
    }

    /** codes [B, K, T] (int64) -> [B, D, T]. */
    NDArray decode(NDArray codes) {
        NDArray out = null;
        for (int k = 0; k < layers.size(); k++) {
            NDArray q = layers.get(k).decode(codes.get(":, " + k + ", :")); // [B, T, D]
            out = out == null ? q : out.add(q);
        }
        return out.transpose(0, 2, 1);
    }

    int numCodebooks() {
        return layers.size();
    }
}
