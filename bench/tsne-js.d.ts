// tsne-js ships no type declarations; bench/maps-peer.ts describes the part it uses.
declare module "tsne-js";
