// Placeholder so the module builds; replaced as the module is written.
