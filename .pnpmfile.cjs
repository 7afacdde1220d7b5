// pnpm reads this while resolving. @trpc/server names typescript as a peer for its types only and
// loads none of it at run time; as a peer it made the production install (pnpm deploy --prod,
// scripts/build-artifact.sh) carry the whole compiler. The workspace has typescript anyway.
module.exports = {
  hooks: {
    readPackage(pkg) {
      if (pkg.name === "@trpc/server" && pkg.peerDependencies) {
        delete pkg.peerDependencies.typescript;
        if (pkg.peerDependenciesMeta) delete pkg.peerDependenciesMeta.typescript;
      }
      return pkg;
    },
  },
};
