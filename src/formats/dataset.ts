// What a loaded data set is (loadDataset in io/dataset.ts reads one from a file).
import type { Matrix } from "../core/matrix.js";

export interface Dataset {
  X: Matrix;
  labels?: string[];
  featureNames?: string[];
  /** [height, width] when the rows are images. */
  imageShape?: [number, number];
}

export const FASHION_MNIST_CLASSES = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
];
