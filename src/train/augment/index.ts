// Training-time augmentation on the GPU: torchvision's auto-augment
// policies, RandomResizedCrop with flips, Bag of Tricks' colour jitter and
// lighting, and the eval resize with centre crop. Images are float32 NHWC
// tensors holding 0..255 values (uint8 pixels before normalisation).
export * from './affine';
export * from './apply';
export * from './autoaugment';
export * from './pixel-ops';
export * from './resample';
export * from './standard';
export * from './pipeline';
