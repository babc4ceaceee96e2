import { createRequire as __genopsCreateRequire } from 'node:module';
import { fileURLToPath as __genopsFileURLToPath } from 'node:url';
import { dirname as __genopsDirname } from 'node:path';
const require = __genopsCreateRequire(import.meta.url);
const __filename = __genopsFileURLToPath(import.meta.url);
const __dirname = __genopsDirname(__filename);
import {
  ConfigError,
  IN_TOTO_PAYLOAD_TYPE,
  PREDICATE_SCHEMAS,
  STATEMENT_TYPE,
  VerificationError,
  canonicalJson,
  docUrl,
  formatDigest,
  formatSchemaProblems,
  isGenopsError,
  keyIdOf,
  parseDigest,
  require_dist,
  require_dist2,
  require_dist3,
  require_v2,
  sha256Hex,
  validateAgainst
} from "./chunk-J3V7XCPU.js";
import {
  __commonJS,
  __require,
  __toESM
} from "./chunk-UQKFIQGY.js";

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/bundle/dsse.js
var require_dsse = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/bundle/dsse.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.DSSESignatureContent = void 0;
    var core_1 = require_dist3();
    var DSSESignatureContent = class {
      env;
      constructor(env) {
        this.env = env;
      }
      compareDigest(digest) {
        return core_1.crypto.bufferEqual(digest, core_1.crypto.digest("sha256", this.env.payload));
      }
      // For a DSSE envelope the signature is computed over the pre-authentication
      // encoding (PAE), so the digest of the signed bytes is the digest of the PAE.
      // This is what a Rekor v2 hashedrekord entry records for a DSSE envelope.
      compareSignedDigest(digest) {
        return core_1.crypto.bufferEqual(digest, core_1.crypto.digest("sha256", this.preAuthEncoding));
      }
      compareSignature(signature) {
        return core_1.crypto.bufferEqual(signature, this.signature);
      }
      verifySignature(key) {
        return core_1.crypto.verify(this.preAuthEncoding, key, this.signature);
      }
      get signature() {
        return this.env.signatures.length > 0 ? this.env.signatures[0].sig : Buffer.from("");
      }
      // DSSE Pre-Authentication Encoding
      get preAuthEncoding() {
        return core_1.dsse.preAuthEncoding(this.env.payloadType, this.env.payload);
      }
    };
    exports.DSSESignatureContent = DSSESignatureContent;
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/bundle/message.js
var require_message = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/bundle/message.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.MessageSignatureContent = void 0;
    var core_1 = require_dist3();
    var protobuf_specs_1 = require_dist();
    var HASH_ALGORITHM_MAP = {
      [protobuf_specs_1.HashAlgorithm.HASH_ALGORITHM_UNSPECIFIED]: "sha256",
      [protobuf_specs_1.HashAlgorithm.SHA2_256]: "sha256",
      [protobuf_specs_1.HashAlgorithm.SHA2_384]: "sha384",
      [protobuf_specs_1.HashAlgorithm.SHA2_512]: "sha512",
      [protobuf_specs_1.HashAlgorithm.SHA3_256]: "sha3-256",
      [protobuf_specs_1.HashAlgorithm.SHA3_384]: "sha3-384"
    };
    var MessageSignatureContent = class {
      signature;
      messageDigest;
      artifact;
      hashAlgorithm;
      constructor(messageSignature, artifact) {
        this.signature = messageSignature.signature;
        this.messageDigest = messageSignature.messageDigest.digest;
        this.artifact = artifact;
        this.hashAlgorithm = HASH_ALGORITHM_MAP[messageSignature.messageDigest.algorithm] ?? /* istanbul ignore next */
        "sha256";
      }
      compareSignature(signature) {
        return core_1.crypto.bufferEqual(signature, this.signature);
      }
      compareDigest(digest) {
        return core_1.crypto.bufferEqual(digest, this.messageDigest);
      }
      // For a message signature the signature is computed over the artifact, so the
      // digest of the signed bytes is the artifact's message digest.
      compareSignedDigest(digest) {
        return this.compareDigest(digest);
      }
      verifySignature(key) {
        return core_1.crypto.verify(this.artifact, key, this.signature, this.hashAlgorithm);
      }
    };
    exports.MessageSignatureContent = MessageSignatureContent;
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/bundle/index.js
var require_bundle = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/bundle/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.toSignedEntity = toSignedEntity2;
    exports.signatureContent = signatureContent;
    var core_1 = require_dist3();
    var dsse_1 = require_dsse();
    var message_1 = require_message();
    function toSignedEntity2(bundle, artifact) {
      const { tlogEntries, timestampVerificationData } = bundle.verificationMaterial;
      const timestamps = [];
      for (const entry of tlogEntries) {
        if (entry.integratedTime && entry.integratedTime !== "0") {
          timestamps.push({
            $case: "transparency-log",
            tlogEntry: entry
          });
        }
      }
      for (const ts of timestampVerificationData?.rfc3161Timestamps ?? []) {
        timestamps.push({
          $case: "timestamp-authority",
          timestamp: core_1.RFC3161Timestamp.parse(Buffer.from(ts.signedTimestamp))
        });
      }
      return {
        signature: signatureContent(bundle, artifact),
        key: key(bundle),
        tlogEntries,
        timestamps
      };
    }
    function signatureContent(bundle, artifact) {
      switch (bundle.content.$case) {
        case "dsseEnvelope":
          return new dsse_1.DSSESignatureContent(bundle.content.dsseEnvelope);
        case "messageSignature":
          return new message_1.MessageSignatureContent(bundle.content.messageSignature, artifact);
      }
    }
    function key(bundle) {
      switch (bundle.verificationMaterial.content.$case) {
        case "publicKey":
          return {
            $case: "public-key",
            hint: bundle.verificationMaterial.content.publicKey.hint
          };
        case "x509CertificateChain":
          return {
            $case: "certificate",
            certificate: core_1.X509Certificate.parse(Buffer.from(bundle.verificationMaterial.content.x509CertificateChain.certificates[0].rawBytes))
          };
        case "certificate":
          return {
            $case: "certificate",
            certificate: core_1.X509Certificate.parse(Buffer.from(bundle.verificationMaterial.content.certificate.rawBytes))
          };
      }
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/error.js
var require_error = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/error.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.PolicyError = exports.VerificationError = void 0;
    var BaseError = class extends Error {
      code;
      cause;
      /* eslint-disable-line @typescript-eslint/no-explicit-any */
      constructor({ code, message, cause }) {
        super(message);
        this.code = code;
        this.cause = cause;
        this.name = this.constructor.name;
      }
    };
    var VerificationError2 = class extends BaseError {
    };
    exports.VerificationError = VerificationError2;
    var PolicyError = class extends BaseError {
    };
    exports.PolicyError = PolicyError;
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/trust/filter.js
var require_filter = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/trust/filter.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.filterCertAuthorities = filterCertAuthorities;
    exports.filterTLogAuthorities = filterTLogAuthorities;
    function filterCertAuthorities(certAuthorities, timestamp) {
      return certAuthorities.filter((ca) => {
        return ca.validFor.start <= timestamp && ca.validFor.end >= timestamp;
      });
    }
    function filterTLogAuthorities(tlogAuthorities, criteria) {
      return tlogAuthorities.filter((tlog) => {
        if (criteria.logID && !tlog.logID.equals(criteria.logID)) {
          return false;
        }
        return tlog.validFor.start <= criteria.targetDate && criteria.targetDate <= tlog.validFor.end;
      });
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/trust/index.js
var require_trust = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/trust/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.filterTLogAuthorities = exports.filterCertAuthorities = void 0;
    exports.toTrustMaterial = toTrustMaterial2;
    var core_1 = require_dist3();
    var protobuf_specs_1 = require_dist();
    var error_1 = require_error();
    var BEGINNING_OF_TIME = /* @__PURE__ */ new Date(0);
    var END_OF_TIME = /* @__PURE__ */ new Date(864e13);
    var filter_1 = require_filter();
    Object.defineProperty(exports, "filterCertAuthorities", { enumerable: true, get: function() {
      return filter_1.filterCertAuthorities;
    } });
    Object.defineProperty(exports, "filterTLogAuthorities", { enumerable: true, get: function() {
      return filter_1.filterTLogAuthorities;
    } });
    function toTrustMaterial2(root, keys) {
      const keyFinder = typeof keys === "function" ? keys : keyLocator(keys);
      return {
        certificateAuthorities: root.certificateAuthorities.map(createCertAuthority),
        timestampAuthorities: root.timestampAuthorities.map(createCertAuthority),
        tlogs: root.tlogs.map(createTLogAuthority),
        ctlogs: root.ctlogs.map(createTLogAuthority),
        publicKey: keyFinder
      };
    }
    function createTLogAuthority(tlogInstance) {
      const keyDetails = tlogInstance.publicKey.keyDetails;
      const keyType = keyDetails === protobuf_specs_1.PublicKeyDetails.PKCS1_RSA_PKCS1V5 || keyDetails === protobuf_specs_1.PublicKeyDetails.PKIX_RSA_PKCS1V5 || keyDetails === protobuf_specs_1.PublicKeyDetails.PKIX_RSA_PKCS1V15_2048_SHA256 || keyDetails === protobuf_specs_1.PublicKeyDetails.PKIX_RSA_PKCS1V15_3072_SHA256 || keyDetails === protobuf_specs_1.PublicKeyDetails.PKIX_RSA_PKCS1V15_4096_SHA256 ? "pkcs1" : "spki";
      return {
        baseURL: tlogInstance.baseUrl,
        logID: tlogInstance.checkpointKeyId ? tlogInstance.checkpointKeyId.keyId : tlogInstance.logId.keyId,
        publicKey: core_1.crypto.createPublicKey(tlogInstance.publicKey.rawBytes, keyType),
        validFor: {
          start: tlogInstance.publicKey.validFor?.start || BEGINNING_OF_TIME,
          end: tlogInstance.publicKey.validFor?.end || END_OF_TIME
        }
      };
    }
    function createCertAuthority(ca) {
      return {
        certChain: ca.certChain.certificates.map((cert) => {
          return core_1.X509Certificate.parse(Buffer.from(cert.rawBytes));
        }),
        validFor: {
          start: ca.validFor?.start || BEGINNING_OF_TIME,
          end: ca.validFor?.end || END_OF_TIME
        }
      };
    }
    function keyLocator(keys) {
      return (hint) => {
        const key = (keys || {})[hint];
        if (!key) {
          throw new error_1.VerificationError({
            code: "PUBLIC_KEY_ERROR",
            message: `key not found: ${hint}`
          });
        }
        return {
          publicKey: core_1.crypto.createPublicKey(key.rawBytes),
          validFor: (date) => {
            return (key.validFor?.start || BEGINNING_OF_TIME) <= date && (key.validFor?.end || END_OF_TIME) >= date;
          }
        };
      };
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/key/certificate.js
var require_certificate = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/key/certificate.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.CertificateChainVerifier = void 0;
    exports.verifyCertificateChain = verifyCertificateChain;
    var error_1 = require_error();
    var trust_1 = require_trust();
    function verifyCertificateChain(timestamp, leaf, certificateAuthorities) {
      const cas = (0, trust_1.filterCertAuthorities)(certificateAuthorities, timestamp);
      let error;
      for (const ca of cas) {
        try {
          const verifier = new CertificateChainVerifier({
            trustedCerts: ca.certChain,
            untrustedCert: leaf,
            timestamp
          });
          return verifier.verify();
        } catch (err) {
          error = err;
        }
      }
      throw new error_1.VerificationError({
        code: "CERTIFICATE_ERROR",
        message: "Failed to verify certificate chain",
        cause: error
      });
    }
    var CertificateChainVerifier = class {
      untrustedCert;
      trustedCerts;
      localCerts;
      timestamp;
      constructor(opts) {
        this.untrustedCert = opts.untrustedCert;
        this.trustedCerts = opts.trustedCerts;
        this.localCerts = dedupeCertificates([
          ...opts.trustedCerts,
          opts.untrustedCert
        ]);
        this.timestamp = opts.timestamp;
      }
      verify() {
        const certificatePath = this.sort();
        this.checkPath(certificatePath);
        const validForDate = certificatePath.every((cert) => cert.validForDate(this.timestamp));
        if (!validForDate) {
          throw new error_1.VerificationError({
            code: "CERTIFICATE_ERROR",
            message: "certificate is not valid or expired at the specified date"
          });
        }
        return certificatePath;
      }
      sort() {
        const leafCert = this.untrustedCert;
        let paths = this.buildPaths(leafCert);
        paths = paths.filter((path2) => path2.some((cert) => this.trustedCerts.includes(cert)));
        if (paths.length === 0) {
          throw new error_1.VerificationError({
            code: "CERTIFICATE_ERROR",
            message: "no trusted certificate path found"
          });
        }
        const path = paths.reduce((prev, curr) => prev.length < curr.length ? prev : curr);
        return [leafCert, ...path].slice(0, -1);
      }
      // Recursively build all possible paths from the leaf to the root
      buildPaths(certificate) {
        const paths = [];
        const issuers = this.findIssuer(certificate);
        if (issuers.length === 0) {
          throw new error_1.VerificationError({
            code: "CERTIFICATE_ERROR",
            message: "no valid certificate path found"
          });
        }
        for (let i = 0; i < issuers.length; i++) {
          const issuer = issuers[i];
          if (issuer.equals(certificate)) {
            paths.push([certificate]);
            continue;
          }
          const subPaths = this.buildPaths(issuer);
          for (let j = 0; j < subPaths.length; j++) {
            paths.push([issuer, ...subPaths[j]]);
          }
        }
        return paths;
      }
      // Return all possible issuers for the given certificate
      findIssuer(certificate) {
        let issuers = [];
        let keyIdentifier;
        if (certificate.subject.equals(certificate.issuer)) {
          if (certificate.verify()) {
            return [certificate];
          }
        }
        if (certificate.extAuthorityKeyID) {
          keyIdentifier = certificate.extAuthorityKeyID.keyIdentifier;
        }
        this.localCerts.forEach((possibleIssuer) => {
          if (keyIdentifier) {
            if (possibleIssuer.extSubjectKeyID) {
              if (possibleIssuer.extSubjectKeyID.keyIdentifier.equals(keyIdentifier)) {
                issuers.push(possibleIssuer);
              }
              return;
            }
          }
          if (possibleIssuer.subject.equals(certificate.issuer)) {
            issuers.push(possibleIssuer);
          }
        });
        issuers = issuers.filter((issuer) => {
          try {
            return certificate.verify(issuer);
          } catch (ex) {
            return false;
          }
        });
        return issuers;
      }
      checkPath(path) {
        if (path.length < 1) {
          throw new error_1.VerificationError({
            code: "CERTIFICATE_ERROR",
            message: "certificate chain must contain at least one certificate"
          });
        }
        const validCAs = path.slice(1).every((cert) => cert.isCA);
        if (!validCAs) {
          throw new error_1.VerificationError({
            code: "CERTIFICATE_ERROR",
            message: "intermediate certificate is not a CA"
          });
        }
        for (let i = path.length - 2; i >= 0; i--) {
          if (!path[i].issuer.equals(path[i + 1].subject)) {
            throw new error_1.VerificationError({
              code: "CERTIFICATE_ERROR",
              message: "incorrect certificate name chaining"
            });
          }
        }
        for (let i = 0; i < path.length; i++) {
          const cert = path[i];
          if (cert.extBasicConstraints?.isCA) {
            const pathLength = cert.extBasicConstraints.pathLenConstraint;
            if (pathLength !== void 0 && pathLength < i - 1) {
              throw new error_1.VerificationError({
                code: "CERTIFICATE_ERROR",
                message: "path length constraint exceeded"
              });
            }
          }
        }
      }
    };
    exports.CertificateChainVerifier = CertificateChainVerifier;
    function dedupeCertificates(certs) {
      for (let i = 0; i < certs.length; i++) {
        for (let j = i + 1; j < certs.length; j++) {
          if (certs[i].equals(certs[j])) {
            certs.splice(j, 1);
            j--;
          }
        }
      }
      return certs;
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/key/sct.js
var require_sct = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/key/sct.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.verifySCTs = verifySCTs;
    var core_1 = require_dist3();
    var error_1 = require_error();
    var trust_1 = require_trust();
    function verifySCTs(cert, issuer, ctlogs) {
      let extSCT;
      const clone = cert.clone();
      for (let i = 0; i < clone.extensions.length; i++) {
        const ext = clone.extensions[i];
        if (ext.subs[0].toOID() === core_1.EXTENSION_OID_SCT) {
          extSCT = new core_1.X509SCTExtension(ext);
          clone.extensions.splice(i, 1);
          break;
        }
      }
      if (!extSCT) {
        return [];
      }
      if (extSCT.signedCertificateTimestamps.length === 0) {
        return [];
      }
      const preCert = new core_1.ByteStream();
      const issuerId = core_1.crypto.digest("sha256", issuer.publicKey);
      preCert.appendView(issuerId);
      const tbs = clone.tbsCertificate.toDER();
      preCert.appendUint24(tbs.length);
      preCert.appendView(tbs);
      return extSCT.signedCertificateTimestamps.map((sct) => {
        const validCTLogs = (0, trust_1.filterTLogAuthorities)(ctlogs, {
          logID: sct.logID,
          targetDate: sct.datetime
        });
        const verified = validCTLogs.some((log) => sct.verify(preCert.buffer, log.publicKey));
        if (!verified) {
          throw new error_1.VerificationError({
            code: "CERTIFICATE_ERROR",
            message: "SCT verification failed"
          });
        }
        return sct.logID;
      });
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/key/index.js
var require_key = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/key/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.verifyPublicKey = verifyPublicKey;
    exports.verifyCertificate = verifyCertificate;
    var core_1 = require_dist3();
    var error_1 = require_error();
    var certificate_1 = require_certificate();
    var sct_1 = require_sct();
    var OID_FULCIO_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
    var OID_FULCIO_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
    function verifyPublicKey(hint, timestamps, trustMaterial) {
      const key = trustMaterial.publicKey(hint);
      timestamps.forEach((timestamp) => {
        if (!key.validFor(timestamp)) {
          throw new error_1.VerificationError({
            code: "PUBLIC_KEY_ERROR",
            message: `Public key is not valid for timestamp: ${timestamp.toISOString()}`
          });
        }
      });
      return { key: key.publicKey };
    }
    function verifyCertificate(leaf, timestamps, trustMaterial) {
      let path = [];
      timestamps.forEach((timestamp) => {
        path = (0, certificate_1.verifyCertificateChain)(timestamp, leaf, trustMaterial.certificateAuthorities);
      });
      return {
        scts: (0, sct_1.verifySCTs)(path[0], path[1], trustMaterial.ctlogs),
        signer: getSigner(path[0])
      };
    }
    function getSigner(cert) {
      let issuer;
      const issuerExtension = cert.extension(OID_FULCIO_ISSUER_V2);
      if (issuerExtension) {
        issuer = issuerExtension.valueObj.subs?.[0]?.value.toString("ascii");
      } else {
        issuer = cert.extension(OID_FULCIO_ISSUER_V1)?.value.toString("ascii");
      }
      const oids = cert.extensions.map((ext) => {
        const oid = ext.subs[0].toOID();
        return {
          oid: { id: oid.split(".").map(Number) },
          value: ext.subs[ext.subs.length - 1].value
        };
      });
      const identity = {
        extensions: { issuer },
        subjectAlternativeName: cert.subjectAltName,
        oids
      };
      return {
        key: core_1.crypto.createPublicKey(cert.publicKey),
        identity
      };
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/policy.js
var require_policy = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/policy.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.verifySubjectAlternativeName = verifySubjectAlternativeName;
    exports.verifyExtensions = verifyExtensions;
    exports.verifyOIDs = verifyOIDs;
    var error_1 = require_error();
    function verifySubjectAlternativeName(policyIdentity, signerIdentity) {
      if (signerIdentity === void 0 || !signerIdentity.match(policyIdentity)) {
        throw new error_1.PolicyError({
          code: "UNTRUSTED_SIGNER_ERROR",
          message: `certificate identity error - expected ${policyIdentity}, got ${signerIdentity}`
        });
      }
    }
    function verifyExtensions(policyExtensions, signerExtensions = {}) {
      let key;
      for (key in policyExtensions) {
        if (signerExtensions[key] !== policyExtensions[key]) {
          throw new error_1.PolicyError({
            code: "UNTRUSTED_SIGNER_ERROR",
            message: `invalid certificate extension - expected ${key}=${policyExtensions[key]}, got ${key}=${signerExtensions[key]}`
          });
        }
      }
    }
    function verifyOIDs(policyOIDs, signerOIDs = []) {
      for (const policyOID of policyOIDs) {
        const match = signerOIDs.find((signerOID) => oidEquals(policyOID.oid?.id, signerOID.oid?.id) && policyOID.value.equals(signerOID.value));
        if (!match) {
          const oid = policyOID.oid?.id.join(".") ?? "<unknown>";
          throw new error_1.PolicyError({
            code: "UNTRUSTED_SIGNER_ERROR",
            message: `invalid certificate extension - missing OID ${oid}`
          });
        }
      }
    }
    function oidEquals(a, b) {
      if (a === void 0 || b === void 0) {
        return false;
      }
      return a.length === b.length && a.every((v, i) => v === b[i]);
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/timestamp/tsa.js
var require_tsa = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/timestamp/tsa.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.verifyRFC3161Timestamp = verifyRFC3161Timestamp;
    var core_1 = require_dist3();
    var error_1 = require_error();
    var certificate_1 = require_certificate();
    var trust_1 = require_trust();
    function verifyRFC3161Timestamp(timestamp, data, timestampAuthorities) {
      const signingTime = timestamp.signingTime;
      timestampAuthorities = (0, trust_1.filterCertAuthorities)(timestampAuthorities, signingTime);
      timestampAuthorities = filterCAsBySerialAndIssuer(timestampAuthorities, {
        serialNumber: timestamp.signerSerialNumber,
        issuer: timestamp.signerIssuer
      });
      const verified = timestampAuthorities.some((ca) => {
        try {
          verifyTimestampForCA(timestamp, data, ca);
          return true;
        } catch (e) {
          return false;
        }
      });
      if (!verified) {
        throw new error_1.VerificationError({
          code: "TIMESTAMP_ERROR",
          message: "timestamp could not be verified"
        });
      }
    }
    function verifyTimestampForCA(timestamp, data, ca) {
      const [leaf, ...cas] = ca.certChain;
      const signingKey = core_1.crypto.createPublicKey(leaf.publicKey);
      const signingTime = timestamp.signingTime;
      try {
        new certificate_1.CertificateChainVerifier({
          untrustedCert: leaf,
          trustedCerts: cas,
          timestamp: signingTime
        }).verify();
      } catch (e) {
        throw new error_1.VerificationError({
          code: "TIMESTAMP_ERROR",
          message: "invalid certificate chain"
        });
      }
      timestamp.verify(data, signingKey);
    }
    function filterCAsBySerialAndIssuer(timestampAuthorities, criteria) {
      return timestampAuthorities.filter((ca) => ca.certChain.length > 0 && core_1.crypto.bufferEqual(ca.certChain[0].serialNumber, criteria.serialNumber) && core_1.crypto.bufferEqual(ca.certChain[0].issuer, criteria.issuer));
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/timestamp/index.js
var require_timestamp = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/timestamp/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.getTSATimestamp = getTSATimestamp;
    exports.getTLogTimestamp = getTLogTimestamp;
    var tsa_1 = require_tsa();
    function getTSATimestamp(timestamp, data, timestampAuthorities) {
      (0, tsa_1.verifyRFC3161Timestamp)(timestamp, data, timestampAuthorities);
      return {
        type: "timestamp-authority",
        logID: timestamp.signerSerialNumber,
        timestamp: timestamp.signingTime
      };
    }
    function getTLogTimestamp(entry) {
      if (!entry.inclusionPromise) {
        return void 0;
      }
      return {
        type: "transparency-log",
        logID: entry.logId.keyId,
        timestamp: new Date(Number(entry.integratedTime) * 1e3)
      };
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/dsse.js
var require_dsse2 = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/dsse.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.DSSE_API_VERSION_V1 = void 0;
    exports.verifyDSSETLogBody = verifyDSSETLogBody;
    exports.verifyDSSETLogBodyV2 = verifyDSSETLogBodyV2;
    var error_1 = require_error();
    exports.DSSE_API_VERSION_V1 = "0.0.1";
    function verifyDSSETLogBody(tlogEntry, content) {
      switch (tlogEntry.apiVersion) {
        case exports.DSSE_API_VERSION_V1:
          return verifyDSSE001TLogBody(tlogEntry, content);
        default:
          throw new error_1.VerificationError({
            code: "TLOG_BODY_ERROR",
            message: `unsupported dsse version: ${tlogEntry.apiVersion}`
          });
      }
    }
    function verifyDSSETLogBodyV2(tlogEntry, content) {
      const spec = tlogEntry.spec?.spec;
      if (!spec) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: `missing dsse spec`
        });
      }
      switch (spec.$case) {
        case "dsseV002":
          return verifyDSSE002TLogBody(spec.dsseV002, content);
        default:
          throw new error_1.VerificationError({
            code: "TLOG_BODY_ERROR",
            message: `unsupported version: ${spec.$case}`
          });
      }
    }
    function verifyDSSE001TLogBody(tlogEntry, content) {
      if (tlogEntry.spec.signatures?.length !== 1) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "signature count mismatch"
        });
      }
      const tlogSig = tlogEntry.spec.signatures[0].signature;
      if (!content.compareSignature(Buffer.from(tlogSig, "base64")))
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "tlog entry signature mismatch"
        });
      const tlogHash = tlogEntry.spec.payloadHash?.value || "";
      if (!content.compareDigest(Buffer.from(tlogHash, "hex"))) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "DSSE payload hash mismatch"
        });
      }
    }
    function verifyDSSE002TLogBody(spec, content) {
      if (spec.signatures?.length !== 1) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "signature count mismatch"
        });
      }
      const tlogSig = spec.signatures[0].content;
      if (!content.compareSignature(tlogSig))
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "tlog entry signature mismatch"
        });
      const tlogHash = spec.payloadHash?.digest || Buffer.from("");
      if (!content.compareDigest(tlogHash)) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "DSSE payload hash mismatch"
        });
      }
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/hashedrekord.js
var require_hashedrekord = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/hashedrekord.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.HASHEDREKORD_API_VERSION_V1 = void 0;
    exports.verifyHashedRekordTLogBody = verifyHashedRekordTLogBody;
    exports.verifyHashedRekordTLogBodyV2 = verifyHashedRekordTLogBodyV2;
    var error_1 = require_error();
    exports.HASHEDREKORD_API_VERSION_V1 = "0.0.1";
    function verifyHashedRekordTLogBody(tlogEntry, content) {
      switch (tlogEntry.apiVersion) {
        case exports.HASHEDREKORD_API_VERSION_V1:
          return verifyHashedrekord001TLogBody(tlogEntry, content);
        default:
          throw new error_1.VerificationError({
            code: "TLOG_BODY_ERROR",
            message: `unsupported hashedrekord version: ${tlogEntry.apiVersion}`
          });
      }
    }
    function verifyHashedRekordTLogBodyV2(tlogEntry, content) {
      const spec = tlogEntry.spec?.spec;
      if (!spec) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: `missing dsse spec`
        });
      }
      switch (spec.$case) {
        case "hashedRekordV002":
          return verifyHashedrekord002TLogBody(spec.hashedRekordV002, content);
        default:
          throw new error_1.VerificationError({
            code: "TLOG_BODY_ERROR",
            message: `unsupported version: ${spec.$case}`
          });
      }
    }
    function verifyHashedrekord001TLogBody(tlogEntry, content) {
      const tlogSig = tlogEntry.spec.signature.content || "";
      if (!content.compareSignature(Buffer.from(tlogSig, "base64"))) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "signature mismatch"
        });
      }
      const tlogDigest = tlogEntry.spec.data.hash?.value || "";
      if (!content.compareSignedDigest(Buffer.from(tlogDigest, "hex"))) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "digest mismatch"
        });
      }
    }
    function verifyHashedrekord002TLogBody(spec, content) {
      const tlogSig = spec.signature?.content || Buffer.from("");
      if (!content.compareSignature(tlogSig)) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "signature mismatch"
        });
      }
      const tlogHash = spec.data?.digest || Buffer.from("");
      if (!content.compareSignedDigest(tlogHash)) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "digest mismatch"
        });
      }
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/intoto.js
var require_intoto = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/intoto.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.verifyIntotoTLogBody = verifyIntotoTLogBody;
    var error_1 = require_error();
    function verifyIntotoTLogBody(tlogEntry, content) {
      switch (tlogEntry.apiVersion) {
        case "0.0.2":
          return verifyIntoto002TLogBody(tlogEntry, content);
        default:
          throw new error_1.VerificationError({
            code: "TLOG_BODY_ERROR",
            message: `unsupported intoto version: ${tlogEntry.apiVersion}`
          });
      }
    }
    function verifyIntoto002TLogBody(tlogEntry, content) {
      if (tlogEntry.spec.content.envelope.signatures?.length !== 1) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "signature count mismatch"
        });
      }
      const tlogSig = base64Decode(tlogEntry.spec.content.envelope.signatures[0].sig);
      if (!content.compareSignature(Buffer.from(tlogSig, "base64"))) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "tlog entry signature mismatch"
        });
      }
      const tlogHash = tlogEntry.spec.content.payloadHash?.value || "";
      if (!content.compareDigest(Buffer.from(tlogHash, "hex"))) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "DSSE payload hash mismatch"
        });
      }
    }
    function base64Decode(str) {
      return Buffer.from(str, "base64").toString("utf-8");
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/checkpoint.js
var require_checkpoint = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/checkpoint.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.LogCheckpoint = void 0;
    exports.verifyCheckpoint = verifyCheckpoint;
    var core_1 = require_dist3();
    var error_1 = require_error();
    var CHECKPOINT_SEPARATOR = "\n\n";
    var SIGNATURE_REGEX = /\u2014 (\S+) (\S+)\n/g;
    function verifyCheckpoint(entry, tlogs) {
      const inclusionProof = entry.inclusionProof;
      const signedNote = SignedNote.fromString(inclusionProof.checkpoint.envelope);
      const checkpoint = LogCheckpoint.fromString(signedNote.note);
      if (!verifySignedNote(signedNote, tlogs)) {
        throw new error_1.VerificationError({
          code: "TLOG_INCLUSION_PROOF_ERROR",
          message: "invalid checkpoint signature"
        });
      }
      return checkpoint;
    }
    function verifySignedNote(signedNote, tlogs) {
      const data = Buffer.from(signedNote.note, "utf-8");
      return signedNote.signatures.some((signature) => {
        const tlog = tlogs.find((tlog2) => core_1.crypto.bufferEqual(tlog2.logID.subarray(0, 4), signature.keyHint) && // Match the signature name to the base URL of the tlog. The name is
        // attacker-controlled, so it MUST be compared as a literal substring
        // and never coerced into a RegExp (as String.prototype.match would).
        tlog2.baseURL.includes(signature.name));
        if (!tlog) {
          return false;
        }
        return core_1.crypto.verify(data, tlog.publicKey, signature.signature);
      });
    }
    var SignedNote = class _SignedNote {
      note;
      signatures;
      constructor(note, signatures) {
        this.note = note;
        this.signatures = signatures;
      }
      // Deserialize a SignedNote from a string
      static fromString(envelope) {
        if (!envelope.includes(CHECKPOINT_SEPARATOR)) {
          throw new error_1.VerificationError({
            code: "TLOG_INCLUSION_PROOF_ERROR",
            message: "missing checkpoint separator"
          });
        }
        const split = envelope.indexOf(CHECKPOINT_SEPARATOR);
        const header = envelope.slice(0, split + 1);
        const data = envelope.slice(split + CHECKPOINT_SEPARATOR.length);
        const matches = data.matchAll(SIGNATURE_REGEX);
        const signatures = Array.from(matches, (match) => {
          const [, name, signature] = match;
          const sigBytes = Buffer.from(signature, "base64");
          if (sigBytes.length < 5) {
            throw new error_1.VerificationError({
              code: "TLOG_INCLUSION_PROOF_ERROR",
              message: "malformed checkpoint signature"
            });
          }
          return {
            name,
            keyHint: sigBytes.subarray(0, 4),
            signature: sigBytes.subarray(4)
          };
        });
        if (signatures.length === 0) {
          throw new error_1.VerificationError({
            code: "TLOG_INCLUSION_PROOF_ERROR",
            message: "no signatures found in checkpoint"
          });
        }
        return new _SignedNote(header, signatures);
      }
    };
    var LogCheckpoint = class _LogCheckpoint {
      origin;
      logSize;
      logHash;
      rest;
      constructor(origin, logSize, logHash, rest) {
        this.origin = origin;
        this.logSize = logSize;
        this.logHash = logHash;
        this.rest = rest;
      }
      static fromString(note) {
        const lines = note.trimEnd().split("\n");
        if (lines.length < 3) {
          throw new error_1.VerificationError({
            code: "TLOG_INCLUSION_PROOF_ERROR",
            message: "too few lines in checkpoint header"
          });
        }
        const origin = lines[0];
        let logSize;
        try {
          logSize = BigInt(lines[1]);
        } catch {
          throw new error_1.VerificationError({
            code: "TLOG_INCLUSION_PROOF_ERROR",
            message: "invalid checkpoint log size"
          });
        }
        const rootHash = Buffer.from(lines[2], "base64");
        const rest = lines.slice(3);
        return new _LogCheckpoint(origin, logSize, rootHash, rest);
      }
    };
    exports.LogCheckpoint = LogCheckpoint;
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/merkle.js
var require_merkle = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/merkle.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.verifyMerkleInclusion = verifyMerkleInclusion;
    var core_1 = require_dist3();
    var error_1 = require_error();
    var RFC6962_LEAF_HASH_PREFIX = Buffer.from([0]);
    var RFC6962_NODE_HASH_PREFIX = Buffer.from([1]);
    function verifyMerkleInclusion(entry, checkpoint) {
      const inclusionProof = entry.inclusionProof;
      let logIndex;
      try {
        logIndex = BigInt(inclusionProof.logIndex);
      } catch {
        throw new error_1.VerificationError({
          code: "TLOG_INCLUSION_PROOF_ERROR",
          message: "invalid inclusion proof log index"
        });
      }
      const treeSize = BigInt(checkpoint.logSize);
      if (logIndex < 0n || logIndex >= treeSize) {
        throw new error_1.VerificationError({
          code: "TLOG_INCLUSION_PROOF_ERROR",
          message: `invalid index: ${logIndex}`
        });
      }
      const { inner, border } = decompInclProof(logIndex, treeSize);
      if (inclusionProof.hashes.length !== inner + border) {
        throw new error_1.VerificationError({
          code: "TLOG_INCLUSION_PROOF_ERROR",
          message: "invalid hash count"
        });
      }
      const innerHashes = inclusionProof.hashes.slice(0, inner);
      const borderHashes = inclusionProof.hashes.slice(inner);
      const leafHash = hashLeaf(entry.canonicalizedBody);
      const calculatedHash = chainBorderRight(chainInner(leafHash, innerHashes, logIndex), borderHashes);
      if (!core_1.crypto.bufferEqual(calculatedHash, checkpoint.logHash)) {
        throw new error_1.VerificationError({
          code: "TLOG_INCLUSION_PROOF_ERROR",
          message: "calculated root hash does not match inclusion proof"
        });
      }
    }
    function decompInclProof(index, size) {
      const inner = innerProofSize(index, size);
      const border = onesCount(index >> BigInt(inner));
      return { inner, border };
    }
    function chainInner(seed, hashes, index) {
      return hashes.reduce((acc, h, i) => {
        if (index >> BigInt(i) & BigInt(1)) {
          return hashChildren(h, acc);
        } else {
          return hashChildren(acc, h);
        }
      }, seed);
    }
    function chainBorderRight(seed, hashes) {
      return hashes.reduce((acc, h) => hashChildren(h, acc), seed);
    }
    function innerProofSize(index, size) {
      return bitLength(index ^ size - BigInt(1));
    }
    function onesCount(num) {
      return num.toString(2).split("1").length - 1;
    }
    function bitLength(n) {
      if (n === 0n) {
        return 0;
      }
      return n.toString(2).length;
    }
    function hashChildren(left, right) {
      return core_1.crypto.digest("sha256", RFC6962_NODE_HASH_PREFIX, left, right);
    }
    function hashLeaf(leaf) {
      return core_1.crypto.digest("sha256", RFC6962_LEAF_HASH_PREFIX, leaf);
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/set.js
var require_set = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/set.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.verifyTLogSET = verifyTLogSET;
    var core_1 = require_dist3();
    var error_1 = require_error();
    var trust_1 = require_trust();
    function verifyTLogSET(entry, tlogs) {
      const validTLogs = (0, trust_1.filterTLogAuthorities)(tlogs, {
        logID: entry.logId.keyId,
        targetDate: new Date(Number(entry.integratedTime) * 1e3)
      });
      const verified = validTLogs.some((tlog) => {
        const payload = toVerificationPayload(entry);
        const data = Buffer.from(core_1.json.canonicalize(payload), "utf8");
        const signature = entry.inclusionPromise.signedEntryTimestamp;
        return core_1.crypto.verify(data, tlog.publicKey, signature);
      });
      if (!verified) {
        throw new error_1.VerificationError({
          code: "TLOG_INCLUSION_PROMISE_ERROR",
          message: "inclusion promise could not be verified"
        });
      }
    }
    function toVerificationPayload(entry) {
      const { integratedTime, logIndex, logId, canonicalizedBody } = entry;
      return {
        body: canonicalizedBody.toString("base64"),
        integratedTime: Number(integratedTime),
        logIndex: Number(logIndex),
        logID: logId.keyId.toString("hex")
      };
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/index.js
var require_tlog = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/tlog/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.verifyTLogBody = verifyTLogBody;
    exports.verifyTLogInclusion = verifyTLogInclusion;
    var v2_1 = require_v2();
    var error_1 = require_error();
    var dsse_1 = require_dsse2();
    var hashedrekord_1 = require_hashedrekord();
    var intoto_1 = require_intoto();
    var checkpoint_1 = require_checkpoint();
    var merkle_1 = require_merkle();
    var set_1 = require_set();
    function verifyTLogBody(entry, sigContent) {
      const { kind, version } = entry.kindVersion;
      let body;
      try {
        body = JSON.parse(entry.canonicalizedBody.toString("utf8"));
      } catch {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: "invalid canonicalized body"
        });
      }
      if (kind !== body.kind || version !== body.apiVersion) {
        throw new error_1.VerificationError({
          code: "TLOG_BODY_ERROR",
          message: `kind/version mismatch - expected: ${kind}/${version}, received: ${body.kind}/${body.apiVersion}`
        });
      }
      switch (kind) {
        case "dsse":
          if (version == dsse_1.DSSE_API_VERSION_V1) {
            return (0, dsse_1.verifyDSSETLogBody)(body, sigContent);
          } else {
            const entryRekorV2 = v2_1.Entry.fromJSON(body);
            return (0, dsse_1.verifyDSSETLogBodyV2)(entryRekorV2, sigContent);
          }
        case "intoto":
          return (0, intoto_1.verifyIntotoTLogBody)(body, sigContent);
        case "hashedrekord":
          if (version == hashedrekord_1.HASHEDREKORD_API_VERSION_V1) {
            return (0, hashedrekord_1.verifyHashedRekordTLogBody)(body, sigContent);
          } else {
            const entryRekorV2 = v2_1.Entry.fromJSON(body);
            return (0, hashedrekord_1.verifyHashedRekordTLogBodyV2)(entryRekorV2, sigContent);
          }
        /* istanbul ignore next */
        default:
          throw new error_1.VerificationError({
            code: "TLOG_BODY_ERROR",
            message: `unsupported kind: ${kind}`
          });
      }
    }
    function verifyTLogInclusion(entry, tlogAuthorities) {
      let inclusionVerified = false;
      if (isTLogEntryWithInclusionPromise(entry)) {
        (0, set_1.verifyTLogSET)(entry, tlogAuthorities);
        inclusionVerified = true;
      }
      if (isTLogEntryWithInclusionProof(entry)) {
        const matchingAuthorities = tlogAuthorities.filter((tlog) => tlog.logID.equals(entry.logId.keyId));
        const checkpoint = (0, checkpoint_1.verifyCheckpoint)(entry, matchingAuthorities);
        (0, merkle_1.verifyMerkleInclusion)(entry, checkpoint);
        inclusionVerified = true;
      }
      if (!inclusionVerified) {
        throw new error_1.VerificationError({
          code: "TLOG_MISSING_INCLUSION_ERROR",
          message: "inclusion could not be verified"
        });
      }
      return;
    }
    function isTLogEntryWithInclusionPromise(entry) {
      return entry.inclusionPromise !== void 0;
    }
    function isTLogEntryWithInclusionProof(entry) {
      return entry.inclusionProof !== void 0;
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/verifier.js
var require_verifier = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/verifier.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Verifier = void 0;
    var util_1 = __require("util");
    var error_1 = require_error();
    var key_1 = require_key();
    var policy_1 = require_policy();
    var timestamp_1 = require_timestamp();
    var tlog_1 = require_tlog();
    var Verifier2 = class {
      trustMaterial;
      options;
      constructor(trustMaterial, options = {}) {
        this.trustMaterial = trustMaterial;
        this.options = {
          ctlogThreshold: options.ctlogThreshold ?? 1,
          tlogThreshold: options.tlogThreshold ?? 1,
          timestampThreshold: options.timestampThreshold ?? options.tsaThreshold ?? 1,
          tsaThreshold: 0
        };
      }
      verify(entity, policy) {
        const timestamps = this.verifyTimestamps(entity);
        const signer = this.verifySigningKey(entity, timestamps);
        this.verifyTLogs(entity);
        this.verifySignature(entity, signer);
        if (policy) {
          this.verifyPolicy(policy, signer.identity || {});
        }
        return signer;
      }
      // Checks that all of the timestamps in the entity are valid and returns them
      verifyTimestamps(entity) {
        const timestamps = [];
        for (const timestamp of entity.timestamps) {
          switch (timestamp.$case) {
            case "timestamp-authority":
              timestamps.push((0, timestamp_1.getTSATimestamp)(timestamp.timestamp, entity.signature.signature, this.trustMaterial.timestampAuthorities));
              break;
            case "transparency-log": {
              const result = (0, timestamp_1.getTLogTimestamp)(timestamp.tlogEntry);
              if (result) {
                timestamps.push(result);
              }
              break;
            }
          }
        }
        if (containsDupes(timestamps)) {
          throw new error_1.VerificationError({
            code: "TIMESTAMP_ERROR",
            message: "duplicate timestamp"
          });
        }
        if (timestamps.length < this.options.timestampThreshold) {
          throw new error_1.VerificationError({
            code: "TIMESTAMP_ERROR",
            message: `expected ${this.options.timestampThreshold} timestamps, got ${timestamps.length}`
          });
        }
        return timestamps.map((t) => t.timestamp);
      }
      // Checks that the signing key is valid for all of the the supplied timestamps
      // and returns the signer.
      verifySigningKey({ key }, timestamps) {
        switch (key.$case) {
          case "public-key": {
            return (0, key_1.verifyPublicKey)(key.hint, timestamps, this.trustMaterial);
          }
          case "certificate": {
            const result = (0, key_1.verifyCertificate)(key.certificate, timestamps, this.trustMaterial);
            if (containsDupes(result.scts)) {
              throw new error_1.VerificationError({
                code: "CERTIFICATE_ERROR",
                message: "duplicate SCT"
              });
            }
            if (result.scts.length < this.options.ctlogThreshold) {
              throw new error_1.VerificationError({
                code: "CERTIFICATE_ERROR",
                message: `expected ${this.options.ctlogThreshold} SCTs, got ${result.scts.length}`
              });
            }
            return result.signer;
          }
        }
      }
      // Checks that the tlog entries are valid for the supplied content
      verifyTLogs({ signature: content, tlogEntries }) {
        const entryIDs = [];
        tlogEntries.forEach((entry) => {
          (0, tlog_1.verifyTLogInclusion)(entry, this.trustMaterial.tlogs);
          (0, tlog_1.verifyTLogBody)(entry, content);
          entryIDs.push({
            logID: entry.logId.keyId,
            body: entry.canonicalizedBody
          });
        });
        if (containsDupes(entryIDs)) {
          throw new error_1.VerificationError({
            code: "TLOG_ERROR",
            message: "duplicate tlog entry"
          });
        }
        if (entryIDs.length < this.options.tlogThreshold) {
          throw new error_1.VerificationError({
            code: "TLOG_ERROR",
            message: `expected ${this.options.tlogThreshold} tlog entries, got ${entryIDs.length}`
          });
        }
      }
      // Checks that the signature is valid for the supplied content
      verifySignature(entity, signer) {
        if (!entity.signature.verifySignature(signer.key)) {
          throw new error_1.VerificationError({
            code: "SIGNATURE_ERROR",
            message: "signature verification failed"
          });
        }
      }
      verifyPolicy(policy, identity) {
        if (policy.subjectAlternativeName) {
          (0, policy_1.verifySubjectAlternativeName)(policy.subjectAlternativeName, identity.subjectAlternativeName);
        }
        if (policy.extensions) {
          (0, policy_1.verifyExtensions)(policy.extensions, identity.extensions);
        }
        if (policy.oids) {
          (0, policy_1.verifyOIDs)(policy.oids, identity.oids);
        }
      }
    };
    exports.Verifier = Verifier2;
    function containsDupes(arr) {
      for (let i = 0; i < arr.length; i++) {
        for (let j = i + 1; j < arr.length; j++) {
          if ((0, util_1.isDeepStrictEqual)(arr[i], arr[j])) {
            return true;
          }
        }
      }
      return false;
    }
  }
});

// node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/index.js
var require_dist4 = __commonJS({
  "node_modules/.pnpm/@sigstore+verify@4.1.3/node_modules/@sigstore/verify/dist/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Verifier = exports.toTrustMaterial = exports.VerificationError = exports.PolicyError = exports.toSignedEntity = void 0;
    var bundle_1 = require_bundle();
    Object.defineProperty(exports, "toSignedEntity", { enumerable: true, get: function() {
      return bundle_1.toSignedEntity;
    } });
    var error_1 = require_error();
    Object.defineProperty(exports, "PolicyError", { enumerable: true, get: function() {
      return error_1.PolicyError;
    } });
    Object.defineProperty(exports, "VerificationError", { enumerable: true, get: function() {
      return error_1.VerificationError;
    } });
    var trust_1 = require_trust();
    Object.defineProperty(exports, "toTrustMaterial", { enumerable: true, get: function() {
      return trust_1.toTrustMaterial;
    } });
    var verifier_1 = require_verifier();
    Object.defineProperty(exports, "Verifier", { enumerable: true, get: function() {
      return verifier_1.Verifier;
    } });
  }
});

// packages/core/src/artifact/verify.ts
var import_bundle = __toESM(require_dist2(), 1);
var import_verify2 = __toESM(require_dist4(), 1);

// packages/core/src/artifact/trust.ts
var import_protobuf_specs = __toESM(require_dist(), 1);
var import_verify = __toESM(require_dist4(), 1);
var GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";
var FulcioOids = {
  issuerV2: "1.3.6.1.4.1.57264.1.8",
  sourceRepositoryUri: "1.3.6.1.4.1.57264.1.12",
  sourceRepositoryDigest: "1.3.6.1.4.1.57264.1.13",
  sourceRepositoryRef: "1.3.6.1.4.1.57264.1.14",
  buildConfigUri: "1.3.6.1.4.1.57264.1.18",
  runInvocationUri: "1.3.6.1.4.1.57264.1.21"
};
var EMPTY_ROOT = {
  mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: []
};
function keyTrustMaterial(keys) {
  const byId = new Map(keys.map((k) => [keyIdOf(k), k]));
  const unknownHints = [];
  const material = (0, import_verify.toTrustMaterial)(import_protobuf_specs.TrustedRoot.fromJSON(EMPTY_ROOT), (hint) => {
    const key = byId.get(hint);
    if (key === void 0) {
      unknownHints.push(hint);
      throw new Error(`no trusted key with id ${hint}`);
    }
    return { publicKey: key, validFor: () => true };
  });
  return { material, unknownHints };
}
async function readTrustedRoot(path, readText, input) {
  let text;
  try {
    text = await readText(path);
  } catch (e) {
    throw new ConfigError("FILE_NOT_FOUND", `trusted root ${path} cannot be read`, { input, file: path, hint: "Pass the path of a Sigstore trusted_root.json, or leave it out to use the public-good root.", cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError("FILE_INVALID", `trusted root ${path} is not JSON`, { input, file: path, expected: "a Sigstore trusted_root.json", cause: e });
  }
}
function keylessTrustMaterial(trustedRoot, source = "trusted root") {
  try {
    return (0, import_verify.toTrustMaterial)(import_protobuf_specs.TrustedRoot.fromJSON(trustedRoot));
  } catch (e) {
    throw new ConfigError("FILE_INVALID", `${source} is not a usable Sigstore trusted root`, {
      file: source,
      expected: "a trusted_root.json (media type application/vnd.dev.sigstore.trustedroot+json)",
      cause: e
    });
  }
}

// packages/core/src/artifact/verify.ts
var DEFAULT_MAX_ARTIFACT_BYTES = 16 * 1024 * 1024;
var DEFAULT_CLOCK_SKEW_SECONDS = 300;
function fail(code, source, message, extra) {
  throw new VerificationError(code, `${source}: ${message}`, {
    file: source,
    docUrl: docUrl("artifact-contract", code.toLowerCase().replaceAll("_", "-")),
    ...extra
  });
}
function lineColumnAt(text, position) {
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  return { line, column: position - before.lastIndexOf("\n") };
}
function parseJson(bytes, source) {
  const text = bytes.toString("utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg)?.[1];
    const where = pos === void 0 ? {} : lineColumnAt(text, Number(pos));
    return fail("ARTIFACT_MALFORMED", source, `is not valid JSON (${msg})`, {
      expected: "a Sigstore bundle JSON document as written by a genops action",
      hint: "The file is damaged or is not a genops artifact; hand over the artifact-path output of the upstream step unchanged.",
      ...where,
      cause: e
    });
  }
}
function toBundle(json, source) {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    fail("BUNDLE_INVALID", source, "is JSON but not a Sigstore bundle object", { expected: "a JSON object with mediaType, verificationMaterial and dsseEnvelope", hint: "Hand over the bundle file written by the upstream genops step." });
  }
  const obj = json;
  const env = obj.dsseEnvelope;
  if (obj.mediaType !== void 0 && env !== void 0 && (!Array.isArray(env.signatures) || env.signatures.length === 0)) {
    fail("UNSIGNED", source, "carries no signature", { expected: "a DSSE envelope with exactly one signature", hint: "The artifact was not signed; re-run the upstream step with signing configured." });
  }
  try {
    return (0, import_bundle.bundleFromJSON)(json);
  } catch (e) {
    return fail("BUNDLE_INVALID", source, `is not a valid Sigstore bundle (${e instanceof Error ? e.message : String(e)})`, {
      expected: "a Sigstore bundle v0.3 with a DSSE envelope",
      hint: "Hand over the bundle file written by the upstream genops step, unchanged.",
      cause: e
    });
  }
}
function sigstoreFailure(e, source, trust, unknownHints) {
  const err = e;
  const cause = typeof err.cause?.message === "string" ? err.cause.message : void 0;
  const detail = `${err.message ?? String(e)}${cause === void 0 ? "" : `: ${cause}`}`;
  if (unknownHints.length > 0) {
    fail("KEY_UNTRUSTED", source, `is signed with key ${unknownHints[0] ?? ""}, which is not one of the ${trust.mode === "key" ? trust.keys.length : 0} pinned public key(s)`, {
      expected: "a signature by a pinned key",
      hint: "Pass the public key of the signing key (genops verify --key PUB.pem; action input public-keys), or re-sign with the right key.",
      cause: e
    });
  }
  if (err.name === "PolicyError") {
    fail("IDENTITY_MISMATCH", source, `was signed by an identity the policy does not trust (${detail})`, {
      hint: "Check certificate-identity and certificate-oidc-issuer: they must name the workflow that signs, exactly.",
      cause: e
    });
  }
  switch (err.code) {
    case "SIGNATURE_ERROR":
      fail("SIGNATURE_INVALID", source, "has a signature that does not match its payload: it was altered after signing, or signed with another key", {
        hint: "Do not edit artifacts after signing. Re-run the upstream step and hand over its output unchanged.",
        cause: e
      });
    case "TLOG_ERROR":
    case "TLOG_INCLUSION_PROOF_ERROR":
    case "TLOG_INCLUSION_PROMISE_ERROR":
    case "TLOG_MISSING_INCLUSION_ERROR":
    case "TLOG_BODY_ERROR":
      fail("TLOG_INVALID", source, `has a transparency-log entry that does not verify (${detail})`, {
        hint: "The Rekor entry does not match this bundle or the trusted root; re-run the upstream step.",
        cause: e
      });
    case "TIMESTAMP_ERROR":
      fail("TLOG_INVALID", source, `has no signed timestamp the trusted root vouches for (${detail})`, {
        hint: "The Rekor entry does not match this bundle or the trusted root; re-run the upstream step.",
        cause: e
      });
    case "CERTIFICATE_ERROR":
    case "PUBLIC_KEY_ERROR":
      fail("KEY_UNTRUSTED", source, `is signed by a key or certificate the trusted root does not vouch for (${detail})`, {
        hint: trust.mode === "key" ? "Pass the right pinned public key." : "Check the trusted root: it must contain the Fulcio CA that issued the certificate.",
        cause: e
      });
    default:
      fail("SIGNATURE_INVALID", source, `failed signature verification (${detail})`, {
        hint: "Re-run the upstream step and hand over its output unchanged.",
        cause: e
      });
  }
}
function decodeDerString(value) {
  if (value.length >= 2 && value[0] === 12) {
    const first = value[1] ?? 0;
    if (first < 128) return value.subarray(2, 2 + first).toString("utf8");
    const n = first & 127;
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (value[2 + i] ?? 0);
    return value.subarray(2 + n, 2 + n + len).toString("utf8");
  }
  return value.toString("utf8");
}
function oidValue(signer, oid) {
  const want = oid.split(".").map(Number);
  const found = signer.identity?.oids?.find((o) => {
    const id = o.oid?.id;
    return id !== void 0 && id.length === want.length && id.every((v, i) => v === want[i]);
  });
  return found === void 0 ? void 0 : decodeDerString(Buffer.from(found.value));
}
function certificateExtensions(signer) {
  const out = {};
  for (const name of Object.keys(FulcioOids)) {
    const value = oidValue(signer, FulcioOids[name]);
    if (value !== void 0) out[name] = value;
  }
  return out;
}
function verifyBundleSignature(bundle, source, trust) {
  const material = bundle.verificationMaterial.content.$case;
  if (trust.mode === "key" && material !== "publicKey") {
    fail("KEY_UNTRUSTED", source, "is signed keyless (certificate), but this verifier trusts only pinned keys", { hint: "Verify with certificate-identity and certificate-oidc-issuer, or sign in key mode." });
  }
  if (trust.mode === "keyless" && material === "publicKey") {
    fail("KEY_UNTRUSTED", source, "is signed with a bare key, but this verifier trusts only keyless (Fulcio) signatures", { hint: "Pass the public key (key mode), or sign keyless." });
  }
  if (trust.mode === "key") return verifyWithPinnedKeys(bundle, source, trust);
  const trustMaterial = keylessTrustMaterial(trust.trustedRoot);
  try {
    const verifier = new import_verify2.Verifier(trustMaterial, { tlogThreshold: trust.tlogThreshold ?? 1, ctlogThreshold: trust.ctlogThreshold ?? 1, timestampThreshold: 1 });
    const s = verifier.verify((0, import_verify2.toSignedEntity)(bundle));
    const extensions = certificateExtensions(s);
    const san = s.identity?.subjectAlternativeName;
    const issuer = s.identity?.extensions?.issuer;
    const signer = { mode: "keyless" };
    if (san !== void 0) signer.identity = san;
    if (issuer !== void 0) signer.issuer = issuer;
    if (extensions.sourceRepositoryUri !== void 0) signer.repositoryUri = extensions.sourceRepositoryUri;
    if (extensions.runInvocationUri !== void 0) signer.runInvocationUri = extensions.runInvocationUri;
    const entry = bundle.verificationMaterial.tlogEntries[0];
    if (entry !== void 0) {
      signer.tlogIndex = entry.logIndex;
      signer.integratedTime = new Date(Number(entry.integratedTime) * 1e3).toISOString();
    }
    return { signer, extensions };
  } catch (e) {
    if (e instanceof VerificationError) throw e;
    return sigstoreFailure(e, source, trust, []);
  }
}
function verifyWithPinnedKeys(bundle, source, trust) {
  const unknownHints = [];
  try {
    const km = keyTrustMaterial(trust.keys);
    const verifier = new import_verify2.Verifier(km.material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
    try {
      verifier.verify((0, import_verify2.toSignedEntity)(bundle));
    } finally {
      unknownHints.push(...km.unknownHints);
    }
  } catch (e) {
    if (e instanceof VerificationError) throw e;
    return sigstoreFailure(e, source, trust, unknownHints);
  }
  const hint = bundle.verificationMaterial.content.$case === "publicKey" ? bundle.verificationMaterial.content.publicKey.hint : void 0;
  return { signer: { mode: "key", ...hint === void 0 ? {} : { keyId: hint } }, extensions: {} };
}
function identityMismatch(signer, want) {
  const checks = [
    ["certificate identity (SAN)", want.subjectAlternativeName, signer.identity],
    ["OIDC issuer", want.issuer, signer.issuer],
    ["source repository", want.repositoryUri, signer.repositoryUri],
    ["workflow run", want.runInvocationUri, signer.runInvocationUri]
  ];
  for (const [what, expected, actual] of checks) if (expected !== void 0 && expected !== actual) return { what, expected, actual };
  return void 0;
}
function checkIdentity(signer, want, source) {
  const m = identityMismatch(signer, want);
  if (m !== void 0) {
    fail("IDENTITY_MISMATCH", source, `was signed by a different ${m.what}`, {
      expected: m.expected,
      actual: m.actual ?? "(none in the certificate)",
      hint: "Only artifacts signed by the expected workflow are trusted. Check the certificate-identity / issuer inputs, or where this artifact came from."
    });
  }
}
function verifyArtifactBytes(bytes, source, policy) {
  const maxBytes = policy.maxBytes ?? DEFAULT_MAX_ARTIFACT_BYTES;
  if (bytes.length === 0) fail("ARTIFACT_EMPTY", source, "is empty", { expected: "a Sigstore bundle JSON document", hint: "The upstream step wrote nothing, or the wrong file was handed over." });
  if (bytes.length > maxBytes) {
    fail("ARTIFACT_TOO_LARGE", source, `is ${bytes.length} bytes, over the ${maxBytes}-byte limit`, { expected: `at most ${maxBytes} bytes`, hint: "genops artifacts are small; this is not one. Raise max-artifact-bytes only if you know why it is large." });
  }
  const json = parseJson(bytes, source);
  const bundle = toBundle(json, source);
  if (bundle.content.$case !== "dsseEnvelope") {
    fail("BUNDLE_INVALID", source, "holds a message signature, not a DSSE envelope", { expected: "a DSSE-envelope bundle", hint: "genops artifacts are DSSE-signed in-toto statements." });
  }
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    fail("PAYLOAD_TYPE_MISMATCH", source, `has payload type ${JSON.stringify(envelope.payloadType)}`, { expected: IN_TOTO_PAYLOAD_TYPE, actual: envelope.payloadType, hint: "Only in-toto statements are genops artifacts." });
  }
  const { signer } = verifyBundleSignature(bundle, source, policy.trust);
  if (policy.trust.mode === "keyless") checkIdentity(signer, policy.trust.identity, source);
  const payload = envelope.payload;
  const digest = sha256Hex(payload);
  if (policy.expectedDigest !== void 0) {
    const want = parseDigest(policy.expectedDigest);
    if (want === void 0) {
      fail("DIGEST_MISMATCH", source, `the expected digest ${JSON.stringify(policy.expectedDigest)} is not a sha256 digest`, { expected: "sha256:<64 hex chars> (the artifact-digest output of the upstream step)", hint: "Pass the upstream step's artifact-digest output unchanged." });
    }
    if (want !== digest) {
      fail("DIGEST_MISMATCH", source, "is not the artifact the upstream job handed over", {
        expected: `sha256:${want}`,
        actual: `sha256:${digest}`,
        hint: "A different (perhaps older or another run's) artifact was supplied. Pass the artifact and digest from the same upstream job."
      });
    }
  }
  const payloadText = payload.toString("utf8");
  let statementJson;
  try {
    statementJson = JSON.parse(payloadText);
  } catch (e) {
    fail("STATEMENT_INVALID", source, "has a signed payload that is not JSON", { hint: "The signer produced a broken statement; this is a bug in the producing tool.", cause: e });
  }
  if (canonicalJson(statementJson) !== payloadText) {
    fail("PAYLOAD_NOT_CANONICAL", source, "has a payload that is not RFC 8785 canonical JSON", { expected: "the canonical form genops signs, so that one statement has one digest", hint: "Sign statements with genops (or canonicalize with RFC 8785 before signing)." });
  }
  const statementProblems = validateAgainst("statement", statementJson);
  if (statementProblems.length > 0) {
    fail("STATEMENT_INVALID", source, `is not an in-toto Statement v1: ${formatSchemaProblems(statementProblems)}`, { expected: `_type ${STATEMENT_TYPE} with subject, predicateType and predicate`, hint: "Only in-toto v1 statements are genops artifacts." });
  }
  const statement = statementJson;
  const wanted = typeof policy.predicateType === "string" ? [policy.predicateType] : [...policy.predicateType];
  if (!wanted.includes(statement.predicateType)) {
    fail("PREDICATE_TYPE_MISMATCH", source, `is a ${statement.predicateType} artifact`, { expected: wanted.join(" or "), actual: statement.predicateType, hint: "The wrong artifact was handed to this step: check which upstream output feeds it." });
  }
  if (policy.subject?.gitCommit !== void 0) {
    const want = policy.subject.gitCommit.toLowerCase();
    const commits = statement.subject.map((s) => s.digest.gitCommit).filter((c) => c !== void 0);
    if (!commits.includes(want)) {
      fail("SUBJECT_MISMATCH", source, "was made for a different commit", { expected: want, actual: commits.join(", ") || "(no commit subject)", hint: "A decision for one commit never passes for another: re-run the upstream steps on this commit." });
    }
  }
  if (policy.subject?.sha256 !== void 0) {
    const want = policy.subject.sha256.toLowerCase();
    const digests = statement.subject.map((s) => s.digest.sha256).filter((c) => c !== void 0);
    if (!digests.includes(want)) {
      fail("SUBJECT_MISMATCH", source, "does not name the artifact being gated", { expected: `sha256:${want}`, actual: digests.map((d) => `sha256:${d}`).join(", ") || "(no artifact subject)", hint: "Re-run the upstream steps for this build output." });
    }
  }
  const schema = PREDICATE_SCHEMAS[statement.predicateType];
  if (schema === void 0) {
    fail("SCHEMA_INVALID", source, `has predicate type ${statement.predicateType}, for which this genops has no schema`, { hint: "Upgrade genops on the receiving side to the producer's version." });
  }
  const predicateProblems = validateAgainst(schema, statement.predicate);
  if (predicateProblems.length > 0) {
    fail("SCHEMA_INVALID", source, `has a predicate that fails its schema: ${formatSchemaProblems(predicateProblems.map((p) => ({ ...p, pointer: `/predicate${p.pointer}` })))}`, { hint: "Producer and receiver disagree on the artifact format: use the same genops version in both jobs." });
  }
  const header = statement.predicate.header;
  const created = Date.parse(header.createdAt);
  const expires = Date.parse(header.expiresAt);
  const now = policy.now.getTime();
  const skew = (policy.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1e3;
  if (!(expires > created)) {
    fail("STATEMENT_INVALID", source, "expires before it was created", { actual: `${header.createdAt} .. ${header.expiresAt}`, hint: "This is a bug in the producing tool." });
  }
  if (now > expires) {
    fail("EXPIRED", source, `expired at ${header.expiresAt}`, { expected: `valid at ${policy.now.toISOString()}`, actual: `valid ${header.createdAt} .. ${header.expiresAt}`, hint: "Re-run the upstream job to produce a fresh artifact (or raise its ttl if runs legitimately take longer)." });
  }
  if (created > now + skew) {
    fail("NOT_YET_VALID", source, `claims to be created at ${header.createdAt}, in the future`, { expected: `created before ${policy.now.toISOString()}`, hint: "Check the clocks of the producing and receiving runners." });
  }
  return { source, statement, digest, bundle: json, signer };
}

// packages/core/src/artifact/handoff.ts
async function writeArtifact(fs, path, artifact) {
  await fs.writeFileAtomic(path, `${JSON.stringify(artifact.bundle, null, 2)}
`);
  return { "artifact-path": path, "artifact-digest": formatDigest(artifact.digest) };
}
async function resolveArtifactFiles(fs, sources, client) {
  const files = [];
  for (const p of sources.paths) {
    const isGlob = /[*?[\]{}]/.test(p);
    const matches = isGlob ? await fs.glob(p) : await fs.size(p) === void 0 ? [] : [p];
    if (matches.length === 0) {
      throw new VerificationError("ARTIFACT_NOT_FOUND", `no artifact at ${JSON.stringify(p)}`, {
        input: "artifacts",
        file: p,
        expected: isGlob ? "at least one file matching the pattern" : "an existing bundle file",
        hint: "Download the upstream job's workflow artifact first (or pass artifact-name), and check the path."
      });
    }
    files.push(...matches.sort());
  }
  for (const name of sources.names) {
    if (client === void 0) {
      throw new ConfigError("INPUT_INVALID", `artifact-name ${JSON.stringify(name)} given, but workflow artifacts cannot be downloaded here`, {
        input: "artifact-name",
        hint: "Outside GitHub Actions, pass the bundle files with artifacts: instead."
      });
    }
    const got = await client.download(name, `${sources.downloadDir}/${name}`);
    const bundles = got.filter((f) => f.endsWith(".json")).sort();
    if (bundles.length === 0) {
      throw new VerificationError("ARTIFACT_NOT_FOUND", `workflow artifact ${JSON.stringify(name)} holds no .json bundle`, {
        input: "artifact-name",
        hint: "Upload the upstream step's artifact-path output with actions/upload-artifact under this name."
      });
    }
    files.push(...bundles);
  }
  if (files.length === 0) {
    throw new ConfigError("INPUT_MISSING", "no upstream artifact was given", {
      input: "artifacts",
      expected: "artifacts (paths or globs) or artifact-name",
      hint: "Every genops step verifies what it is handed; pass the upstream step's outputs."
    });
  }
  return [...new Set(files)];
}
async function readArtifactFile(fs, path, maxBytes = DEFAULT_MAX_ARTIFACT_BYTES) {
  const size = await fs.size(path);
  if (size === void 0) {
    throw new VerificationError("ARTIFACT_NOT_FOUND", `${path}: no such file`, { file: path, hint: "Check the path, and that the upstream artifact was downloaded." });
  }
  if (size > maxBytes) {
    throw new VerificationError("ARTIFACT_TOO_LARGE", `${path}: is ${size} bytes, over the ${maxBytes}-byte limit`, {
      file: path,
      expected: `at most ${maxBytes} bytes`,
      hint: "genops artifacts are small; this is not one."
    });
  }
  return fs.readFile(path);
}
function verifyEvery(items, verify, outcome) {
  const verified = [];
  const failures = [];
  for (const item of items) {
    try {
      verified.push(verify(item));
    } catch (e) {
      failures.push({ source: item.source, error: e });
    }
  }
  const first = failures[0];
  if (first === void 0) return verified;
  if (failures.length === 1 && isGenopsError(first.error)) throw first.error;
  const code = first.error instanceof VerificationError ? first.error.code : "SIGNATURE_INVALID";
  const lines = failures.map((f) => `- ${f.source}: ${isGenopsError(f.error) ? `${f.error.code}: ${f.error.message}` : String(f.error)}`);
  throw new VerificationError(code, `${String(failures.length)} of ${String(items.length)} artifacts failed verification; ${outcome.consequence}:
${lines.join("\n")}`, {
    file: first.source,
    hint: outcome.hint ?? "Every artifact must verify before any of them is used.",
    cause: first.error
  });
}
async function verifyHandoff(fs, req) {
  const expected = req.expectedDigests.map((d) => {
    const hex = parseDigest(d);
    if (hex === void 0) {
      throw new ConfigError("INPUT_INVALID", `artifact-digest ${JSON.stringify(d)} is not a sha256 digest`, {
        input: "artifact-digest",
        expected: "sha256:<64 hex chars>, as set by the upstream step's artifact-digest output"
      });
    }
    return hex;
  });
  if (expected.length === 0) {
    throw new ConfigError("INPUT_MISSING", "no artifact-digest given", {
      input: "artifact-digest",
      expected: "the upstream step's artifact-digest output (passed through job outputs)",
      hint: "The digest binds this job to the exact artifact the upstream job produced; there is no way to skip it."
    });
  }
  const check = (file, bytes) => {
    const v = verifyArtifactBytes(bytes, file, req.policy);
    if (!expected.includes(v.digest)) {
      throw new VerificationError("DIGEST_MISMATCH", `${file}: is not an artifact the upstream job handed over`, {
        file,
        input: "artifact-digest",
        expected: expected.map(formatDigest).join(", "),
        actual: formatDigest(v.digest),
        hint: "A different (perhaps older or another run's) artifact was supplied. Pass the artifact and digest from the same upstream job."
      });
    }
    return v;
  };
  let verified = [];
  if (req.reportAll === void 0) {
    for (const file of req.files) verified.push(check(file, await readArtifactFile(fs, file, req.policy.maxBytes)));
  } else {
    const read = [];
    for (const file of req.files) read.push({ source: file, bytes: await readArtifactFile(fs, file, req.policy.maxBytes) });
    verified = verifyEvery(read, (f) => check(f.source, f.bytes), req.reportAll);
  }
  const missing = expected.filter((d) => !verified.some((v) => v.digest === d));
  if (missing.length > 0) {
    throw new VerificationError("ARTIFACT_NOT_FOUND", `no artifact with digest ${missing.map(formatDigest).join(", ")} was supplied${req.reportAll === void 0 ? "" : `; ${req.reportAll.consequence}`}`, {
      input: "artifacts",
      hint: "Every handed-over digest must be matched by a file; download all the upstream artifacts."
    });
  }
  return verified;
}

export {
  GITHUB_ACTIONS_ISSUER,
  readTrustedRoot,
  DEFAULT_MAX_ARTIFACT_BYTES,
  writeArtifact,
  resolveArtifactFiles,
  verifyHandoff
};
