// Import boundaries of src/ (docs/adr/0013-layers.md): `npm run lint:deps`.
// LAYERS lists the folders of src/ from the bottom up. A folder may import only folders in lower
// layers (and itself); folders in one layer never import each other. So no two folders import each
// other, and the data flow reads bottom to top. Tests (*.test.ts, *.contract.ts) are exempt: a test
// may build its fixtures with any layer (e.g. engine tests load a project with catalog/).
const LAYERS = [
  ['core'],
  ['protocol'],
  ['storage', 'store', 'engine'],
  ['catalog', 'planner', 'example'],
  ['snapshot'],
  ['optimizer'],
  ['compile'],
  ['observability'],
  ['executor'],
  ['launcher'],
  ['coordinator'],
  ['schedule'],
  ['runtime'],
  ['cli'],
];
const TESTS = '\\.(test|contract)\\.ts$';
const folders = LAYERS.flat();

/** Rules forbidding each layer to import a folder of its own or a higher layer (other than itself). */
function layerRules() {
  return LAYERS.flatMap((layer, rank) =>
    layer.map((folder) => {
      const notBelow = [...LAYERS.slice(rank).flat()].filter((f) => f !== folder);
      return {
        name: `layer-${folder}`,
        comment: `src/${folder}/ may import only folders in lower layers than its own (${LAYERS.slice(0, rank).flat().join(', ') || 'none'})`,
        severity: 'error',
        from: { path: `^src/${folder}/`, pathNot: TESTS },
        to: { path: `^src/(${notBelow.join('|')})/` },
      };
    }),
  ).filter((r) => !r.to.path.includes('()'));
}

module.exports = {
  forbidden: [
    ...layerRules(),
    {
      name: 'folder-not-in-layers',
      comment: 'every folder of src/ has a place in LAYERS (.dependency-cruiser.cjs and docs/adr/0013-layers.md)',
      severity: 'error',
      from: { path: '^src/', pathNot: [`^src/(${folders.join('|')})/`, '^src/index\\.ts$', TESTS] },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'no import cycle between modules that exists at run time (type-only imports are erased)',
      severity: 'error',
      from: { path: '^src/', pathNot: TESTS },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'every relative import resolves to a file',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true, pathNot: '^node:' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
