/** The name of the features stage in the checkpoints table (a module of its own: reading the catalogue does not load the stage). */
export const FEATURES_STAGE = 'features';
